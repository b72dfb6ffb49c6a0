using MimeKit;
using MimeKit.Text;

namespace Digest.Tests.Bounces;

/// <summary>
/// Bounces and complaints shaped like the ones real servers send: Postfix-style RFC 3464 notifications
/// (multipart/report; report-type=delivery-status) and RFC 5965 feedback reports as mailbox providers send them.
/// </summary>
public static class Reports
{
    private const string Mta = "mx.relay.example.net";

    /// <summary>A DSN to <paramref name="returnPath"/> about <paramref name="original"/>, quoting its headers.</summary>
    public static MimeMessage Dsn(string returnPath, string recipient, string status, string diagnostic, MimeMessage? original,
        string subject = "Undelivered Mail Returned to Sender", string action = "failed", bool headersOnly = true)
    {
        var message = Envelope(subject, "MAILER-DAEMON@" + Mta, returnPath);
        var report = new MultipartReport("delivery-status")
        {
            new TextPart(TextFormat.Plain) { Text = $"This is the mail system at host {Mta}.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<{recipient}>: {diagnostic}\n" },
            DeliveryStatus(
                $"Reporting-MTA: dns; {Mta}\nX-Postfix-Queue-ID: 4Q1XyZ2abc\nArrival-Date: Mon, 23 Nov 2026 09:00:02 +0000",
                $"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\nAction: {action}\nStatus: {status}\nRemote-MTA: dns; mx.{recipient.Split('@')[1]}\nDiagnostic-Code: smtp; {diagnostic}"),
        };
        if (original is not null) report.Add(Quote(original, headersOnly));
        message.Body = report;
        return message;
    }

    /// <summary>An ARF abuse report from a provider's feedback loop, quoting the whole original as delivered.</summary>
    public static MimeMessage Complaint(string to, string recipient, MimeMessage? original, string? returnPath = null,
        string subject = "Complaint about a message", string feedbackType = "abuse")
    {
        var message = Envelope(subject, "fbl@feedback.example.org", to);
        var fields = new MessageFeedbackReport();
        fields.Fields.Add("Feedback-Type", feedbackType);
        fields.Fields.Add("User-Agent", "ExampleFBL/1.0");
        fields.Fields.Add("Version", "1");
        if (returnPath is not null) fields.Fields.Add("Original-Mail-From", $"<{returnPath}>");
        fields.Fields.Add("Original-Rcpt-To", $"<{recipient}>");
        fields.Fields.Add("Arrival-Date", "Mon, 23 Nov 2026 09:00:05 +0000");
        var report = new MultipartReport("feedback-report")
        {
            new TextPart(TextFormat.Plain) { Text = "This is an email abuse report for an email message received from IP 192.0.2.25.\n" },
            fields,
        };
        if (original is not null) report.Add(Quote(original, headersOnly: false));
        message.Body = report;
        return message;
    }

    /// <summary>A multipart/report that claims to be a DSN but has no delivery-status part: broken, as some relays send.</summary>
    public static MimeMessage BrokenReport(string to) =>
        WithBody(Envelope("Delivery failure (broken report)", "postmaster@" + Mta, to),
            new MultipartReport("delivery-status") { new TextPart(TextFormat.Plain) { Text = "Your message failed. Sorry." } });

    /// <summary>A DSN whose Status field is not a status code.</summary>
    public static MimeMessage DsnWithoutStatusCode(string to, string recipient) =>
        WithBody(Envelope("Returned mail: see transcript", "MAILER-DAEMON@" + Mta, to),
            new MultipartReport("delivery-status")
            {
                new TextPart(TextFormat.Plain) { Text = "failed" },
                DeliveryStatus($"Reporting-MTA: dns; {Mta}", $"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: unknown"),
            });

    public static MimeMessage HumanReply(string to) =>
        WithBody(Envelope("Re: Weekly AI Tool Verdicts #1", "reader@example.com", to), new TextPart(TextFormat.Plain) { Text = "Thanks, great issue!" });

    private static MimeMessage Envelope(string subject, string from, string to)
    {
        var message = new MimeMessage { Subject = subject, Date = new DateTimeOffset(2026, 11, 23, 9, 5, 0, TimeSpan.Zero) };
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(Mta);
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        // What the final server writes: the envelope recipient, which carries the VERP token.
        message.Headers.Add("Delivered-To", to);
        return message;
    }

    private static MimeMessage WithBody(MimeMessage message, MimeEntity body)
    {
        message.Body = body;
        return message;
    }

    private static MessageDeliveryStatus DeliveryStatus(params string[] groups)
    {
        var status = new MessageDeliveryStatus();
        status.Content = new MimeContent(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(string.Join("\n\n", groups) + "\n")));
        return status;
    }

    private static MimeEntity Quote(MimeMessage original, bool headersOnly)
    {
        if (!headersOnly) return new MessagePart { Message = original };
        var headers = new MimeMessage(original.Headers.Select(h => h.Clone()));
        return new TextRfc822Headers { Message = headers };
    }
}
