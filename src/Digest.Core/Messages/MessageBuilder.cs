using Digest.Bounces;
using Digest.Ledger;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Digest.Messages;

/// <summary>Builds one reader's MIME message: multipart/alternative, list headers, a stable Message-ID.</summary>
public sealed class MessageBuilder(IOptions<DigestOptions> options, UnsubscribeTokens tokens, DkimSigning dkim, TimeProvider clock,
    ReturnPaths returnPaths, MessageIds messageIds)
{
    private readonly DigestOptions _o = options.Value;
    private readonly string? _unsubscribeMailbox = UnsubscribeMailbox.For(options.Value);
    private readonly BodyFrame _frame = new();

    /// <summary>See <see cref="MessageIds"/>: stable per edition and reader, unique per store, signed.</summary>
    public string MessageIdFor(int edition, int position, string email) => messageIds.For(edition, position, email);

    public string UnsubscribeUrl(string email) => UnsubscribeUrlFor(tokens.Create(email));

    private string UnsubscribeUrlFor(string token)
    {
        var separator = _o.Unsubscribe.BaseUrl.Contains('?') ? '&' : '?';
        return $"{_o.Unsubscribe.BaseUrl}{separator}token={token}";
    }

    public ReaderView Reader(string email, string? name) => new(email, name, GreetingFor(name), UnsubscribeUrl(email));

    /// <summary>
    /// The first word of the name when it clearly is a first name, else "there": "Lovelace, Ada" (last name
    /// first, as spreadsheets export it), "Dr. Grace Hopper" or an address in the name field must not become
    /// "Hi Lovelace,".
    /// </summary>
    public static string GreetingFor(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "there";
        var first = name.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
        var word = first.Length > 1 && char.IsLetter(first[0])
            && first.All(c => char.IsLetter(c) || c is '-' or '\'' or '\u2019');
        return word ? first : "there";
    }

    /// <param name="plainBody">
    /// MimeKit's own parts, for a message that is read rather than only sent (`preview`, `send-test`):
    /// <see cref="MimeMessage.HtmlBody"/> and <see cref="MimeMessage.TextBody"/> find them. The bytes are the same.
    /// </param>
    public MimeMessage Build(int edition, DeliveryRecord delivery, PersonalMessage rendered, bool plainBody = false)
    {
        // The headers MimeMessage() would fill in itself, given up front: its own Message-ID (built from the host
        // name with an IDN lookup per message) and Date would only be replaced. Same order as it makes them.
        var message = new MimeMessage(new Header(HeaderId.From, ""), new Header(HeaderId.Date, ""), new Header(HeaderId.Subject, ""), new Header(HeaderId.MessageId, ""))
        {
            Subject = rendered.Subject,
            MessageId = delivery.MessageId.Length > 0 ? delivery.MessageId : MessageIdFor(edition, DeliveryRecord.PositionOf(delivery.Id), delivery.Email),
            Date = clock.GetUtcNow(),
        };
        message.From.Add(new MailboxAddress(_o.Sender.Name, _o.Sender.Address));
        if (!string.IsNullOrWhiteSpace(_o.Sender.ReplyTo)) message.ReplyTo.Add(MailboxAddress.Parse(_o.Sender.ReplyTo));
        message.To.Add(new MailboxAddress(delivery.Name ?? "", delivery.Email));
        if (returnPaths.For(delivery.Id) is { } returnPath) Envelope.SetSender(message, returnPath);

        var token = tokens.Create(delivery.Email);
        message.Headers.Add(HeaderId.ListId, $"{Quote(_o.ListName)} <{_o.ListId}>");
        // The mailto variant only where the bounce reader reads the mailbox it names: an unread one is a dead link.
        message.Headers.Add(HeaderId.ListUnsubscribe, _unsubscribeMailbox is null
            ? $"<{UnsubscribeUrlFor(token)}>"
            : $"<{UnsubscribeUrlFor(token)}>, <mailto:{_unsubscribeMailbox}?subject=unsubscribe%20{token}>");
        // RFC 8058: mailbox providers may POST "List-Unsubscribe=One-Click" to the https link.
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("X-Digest-Edition", edition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Gmail's feedback loop reports spam rates per field of this header (campaign:customer:sender).
        message.Headers.Add("Feedback-ID", $"{edition}:{_o.ListId.Replace(':', '.')}:{_o.Sender.FeedbackId}");

        // The fast way when both parts can go as 8bit CRLF text as they are; MimeKit part by part otherwise.
        // One scan of each part decides both which way it goes and, the MimeKit way, its encoding.
        var text = WireText.Check(rendered.Text);
        var html = WireText.Check(rendered.Html);
        message.Body = !plainBody && text.SuitsFrame && html.SuitsFrame
            ? new PreparedBody(_frame, rendered.Text, rendered.Html)
            : new MultipartAlternative { Part(TextFormat.Plain, rendered.Text, text), Part(TextFormat.Html, rendered.Html, html) };
        dkim.Sign(message);
        return message;
    }

    /// <summary>
    /// A UTF-8 text part: 8bit straight from the rendered pieces where it can, else quoted-printable. MailKit
    /// converts to quoted-printable by itself for a server without 8BITMIME.
    /// </summary>
    private static TextPart Part(TextFormat format, MessageBody body, WireText wire)
    {
        // The templates keep their own lines short, but a reader's value (a 500-character name) can make a
        // line longer than SMTP's 998 octets, which a server refuses ("500 Line too long"). Such a message
        // goes quoted-printable, whose soft line breaks fit any value; the scan is cheap next to the send.
        if (wire.LongestLine > WireText.MaxLineOctets)
        {
            var encoded = new TextPart(format) { Text = body.AsString(), ContentTransferEncoding = ContentEncoding.QuotedPrintable };
            encoded.ContentType.Charset = "utf-8";
            return encoded;
        }
        return BodyFrame.Part(format, body);
    }

    private static string Quote(string displayName) => $"\"{displayName.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
}
