using MimeKit;

namespace Digest.Delivery;

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
    ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>What a failed delivery means for the caller.</summary>
public enum DeliveryFailure
{
    /// <summary>Try again later: a 4xx reply, a dropped connection, a timeout.</summary>
    Transient,
    /// <summary>The recipient is refused for good (5xx to RCPT): a hard bounce.</summary>
    HardBounce,
    /// <summary>The server refuses everyone (bad credentials, sender refused, TLS failure): stop the edition.</summary>
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
}
