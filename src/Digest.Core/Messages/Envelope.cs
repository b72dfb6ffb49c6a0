using MimeKit;

namespace Digest.Messages;

/// <summary>
/// Carries a message's envelope sender (its VERP return path) from <see cref="MessageBuilder"/> to the
/// transport in a <c>Return-Path</c> header. Over SMTP it becomes MAIL FROM and the header itself is not
/// sent: the receiving server writes Return-Path on final delivery (RFC 5321 4.4). In an outbox .eml file it
/// stays, showing where bounces would go.
/// </summary>
public static class Envelope
{
    /// <summary>The message as written to the SMTP DATA stream: without the Return-Path that only carries MAIL FROM.</summary>
    public static FormatOptions WireFormat => CreateWireFormat();

    /// <summary>The envelope sender the builder chose, or null when the message has none (VERP off).</summary>
    public static MailboxAddress? SenderOf(MimeMessage message) =>
        message.Headers[HeaderId.ReturnPath] is { Length: > 0 } value && MailboxAddress.TryParse(value, out var mailbox) ? mailbox : null;

    public static IEnumerable<MailboxAddress> RecipientsOf(MimeMessage message) =>
        message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes);

    public static void SetSender(MimeMessage message, MailboxAddress sender) =>
        message.Headers[HeaderId.ReturnPath] = $"<{sender.Address}>";

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.HiddenHeaders.Add(HeaderId.ReturnPath);
        return format;
    }
}
