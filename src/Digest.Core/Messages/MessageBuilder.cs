using System.Runtime.InteropServices;
using Digest.Bounces;
using Digest.Ledger;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.IO;
using MimeKit.Text;

namespace Digest.Messages;

/// <summary>Builds one reader's MIME message: multipart/alternative, list headers, a stable Message-ID.</summary>
public sealed class MessageBuilder(IOptions<DigestOptions> options, UnsubscribeTokens tokens, DkimSigning dkim, TimeProvider clock,
    ReturnPaths returnPaths, MessageIds messageIds)
{
    private readonly DigestOptions _o = options.Value;
    private readonly string? _unsubscribeMailbox = UnsubscribeMailbox.For(options.Value);

    /// <summary>See <see cref="MessageIds"/>: stable per edition and reader, unique per store, signed.</summary>
    public string MessageIdFor(int edition, string email) => messageIds.For(edition, email);

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

    public MimeMessage Build(int edition, DeliveryRecord delivery, PersonalMessage rendered)
    {
        var message = new MimeMessage
        {
            Subject = rendered.Subject,
            MessageId = delivery.MessageId.Length > 0 ? delivery.MessageId : MessageIdFor(edition, delivery.Email),
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

        message.Body = new MultipartAlternative { Part(TextFormat.Plain, rendered.Text), Part(TextFormat.Html, rendered.Html) };
        dkim.Sign(message);
        return message;
    }

    /// <summary>
    /// A UTF-8 text part sent as 8bit straight from the rendered pieces: no re-encoding per reader. Lines are
    /// CRLF and short (see <see cref="PersonalTemplate"/>); MailKit converts to quoted-printable by itself for
    /// a server without 8BITMIME.
    /// </summary>
    private static TextPart Part(TextFormat format, MessageBody body)
    {
        // The templates keep their own lines short, but a reader's value (a 500-character name) can make a
        // line longer than SMTP's 998 octets, which a server refuses ("500 Line too long"). Such a message
        // goes quoted-printable, whose soft line breaks fit any value; the scan is cheap next to the send.
        if (LongestLine(body) > MaxLineOctets)
        {
            var encoded = new TextPart(format) { Text = body.AsString(), ContentTransferEncoding = ContentEncoding.QuotedPrintable };
            encoded.ContentType.Charset = "utf-8";
            return encoded;
        }
        var content = new ChainedStream();
        foreach (var piece in body.Pieces)
            content.Add(MemoryMarshal.TryGetArray(piece, out var array)
                ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
                : new MemoryStream(piece.ToArray(), writable: false));
        var part = new RenderedTextPart(format) { ContentTransferEncoding = ContentEncoding.EightBit };
        part.ContentType.Charset = "utf-8";
        part.Content = new MimeContent(content, ContentEncoding.EightBit);
        return part;
    }

    /// <summary>RFC 5321 4.5.3.1.6: 1,000 octets a line with its CRLF.</summary>
    private const int MaxLineOctets = 998;

    private static int LongestLine(MessageBody body)
    {
        int longest = 0, current = 0;
        foreach (var piece in body.Pieces)
        {
            var span = piece.Span;
            while (span.IndexOf((byte)'\n') is var at and >= 0)
            {
                // The CRLF is not part of the line's length.
                longest = Math.Max(longest, current + at - (at > 0 && span[at - 1] == '\r' ? 1 : 0));
                current = 0;
                span = span[(at + 1)..];
            }
            current += span.Length;
        }
        return Math.Max(longest, current);
    }

    /// <summary>
    /// A text part whose content is known to suit 8bit transport: UTF-8, CRLF, no line near 998 octets
    /// (<see cref="PersonalTemplate"/> sees to that once per edition). MailKit prepares every message by
    /// scanning each part for the best encoding, a full pass over the body per reader; here that pass is
    /// skipped unless the server lacks 8BITMIME and a 7bit encoding is really needed.
    /// </summary>
    private sealed class RenderedTextPart(TextFormat format) : TextPart(format)
    {
        public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
        {
            if (constraint is EncodingConstraint.SevenBit) base.Prepare(constraint, maxLineLength);
        }
    }

    private static string Quote(string displayName) => $"\"{displayName.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
}
