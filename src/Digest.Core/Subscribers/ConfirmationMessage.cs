using System.Net;
using Digest.Messages;
using MimeKit;
using MimeKit.Utils;

namespace Digest.Subscribers;

/// <summary>
/// The mail that asks a new reader to confirm: plain text and HTML with the one link, no tracking, no List-Unsubscribe
/// (they are not on the list yet), DKIM-signed like an edition so it is not the message that lands in spam.
/// </summary>
public static class ConfirmationMessage
{
    public static MimeMessage Build(DigestOptions o, DkimSigning dkim, SignupRequest request, string link, TimeSpan validFor, DateTimeOffset now)
    {
        var message = new MimeMessage
        {
            Subject = $"Confirm your subscription to {o.ListName}",
            MessageId = MimeUtils.GenerateMessageId(MailboxAddress.Parse(o.Sender.Address).Domain),
            Date = now,
        };
        message.From.Add(new MailboxAddress(o.Sender.Name, o.Sender.Address));
        if (!string.IsNullOrWhiteSpace(o.Sender.ReplyTo)) message.ReplyTo.Add(MailboxAddress.Parse(o.Sender.ReplyTo));
        // The bare address, not the name typed on the form: a stranger's text must not ride into someone's inbox.
        message.To.Add(new MailboxAddress("", request.Email));
        // Mail an ESP sends because someone asked for it: mailbox providers and auto-responders treat it as such.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var hours = (int)Math.Round(validFor.TotalHours);
        var text = $"""
            Someone, hopefully you, asked to receive {o.ListName} at {request.Email}.

            To confirm, open this link and press Confirm (within {hours} hours):
            {link}

            If it was not you, ignore this mail: nothing is sent to you unless you confirm.
            """.ReplaceLineEndings("\r\n");
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"></head><body>
            <p>Someone, hopefully you, asked to receive <strong>{WebUtility.HtmlEncode(o.ListName)}</strong> at {WebUtility.HtmlEncode(request.Email)}.</p>
            <p><a href="{WebUtility.HtmlEncode(link)}">Confirm your subscription</a> (within {hours} hours).</p>
            <p>If it was not you, ignore this mail: nothing is sent to you unless you confirm.</p>
            </body></html>
            """.ReplaceLineEndings("\r\n");
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = text },
            new TextPart("html") { Text = html },
        };
        dkim.Sign(message);
        return message;
    }
}
