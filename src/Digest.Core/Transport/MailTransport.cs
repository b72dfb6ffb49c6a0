using MimeKit;

namespace Digest.Transport;

/// <summary>Where messages go: an SMTP server, or the outbox folder when no server is configured.</summary>
public interface IMailTransport
{
    /// <summary>For logs and status: "smtp mail.example.com:587", "outbox data/outbox".</summary>
    string Description { get; }

    /// <summary>How many connections may send in parallel.</summary>
    int Connections { get; }

    /// <summary>A connection for one sender task; it is reused for many messages and reopens itself after a failure.</summary>
    IMailConnection OpenConnection(int edition);
}

/// <summary>One connection; not thread-safe, one message at a time.</summary>
public interface IMailConnection : IAsyncDisposable
{
    /// <summary>Sends one message to its one recipient; returns the server's reply. Throws <see cref="DeliveryException"/>.</summary>
    /// <param name="acceptAfter">
    /// The message may not be accepted before the task this returns completes (the previous outcome of this
    /// connection is durable and the sender still holds its lease), and is not sent at all when it faults. Asked as
    /// late as the transport can: one that can hold a message's end back sends the rest first.
    /// </param>
    ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken, Func<Task>? acceptAfter = null);
}

/// <summary>What a failed delivery means for the caller, and whom it counts against (see <see cref="SmtpReply"/>).</summary>
public enum DeliveryFailure
{
    /// <summary>This reader, later: a 4xx about the reader, or the connection lost in the middle of their message.</summary>
    Transient,
    /// <summary>This reader's address is refused for good (5.1.x, 5.2.1): a hard bounce, the address is suppressed.</summary>
    HardBounce,
    /// <summary>This reader's message is refused for good (a content filter at DATA): Failed, nobody suppressed.</summary>
    Refused,
    /// <summary>The relay, for now: cannot connect, 421, 4.3.x/4.4.x/4.5.x, a stalled session. The reader is not charged.</summary>
    RelayDown,
    /// <summary>The relay refuses everyone (5.7.x policy or relaying, credentials, sender refused, TLS): the reader is not charged.</summary>
    Fatal,
}

public sealed class DeliveryException(DeliveryFailure failure, string reply, Exception? inner = null)
    : Exception(reply, inner)
{
    public DeliveryFailure Failure { get; } = failure;

    /// <summary>The server's reply or the error, as an admin should read it in `status`.</summary>
    public string Reply { get; } = reply;

    /// <summary>True when the server could not be reached at all, as opposed to a reply on an open connection.</summary>
    public bool ConnectFailed { get; init; }

    /// <summary>True when the failure is the relay's: it rests or the edition stops, and no reader is charged for it.</summary>
    public bool IsRelayFailure => SmtpReply.IsRelayFailure(Failure);
}
