using System.Security.Cryptography;
using System.Text;
using Digest.Bounces;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using System.Runtime.InteropServices;
using MimeKit;
using MimeKit.IO;
using MimeKit.Text;

namespace Digest.Delivery;

/// <summary>Builds one reader's MIME message: multipart/alternative, list headers, a stable Message-ID.</summary>
public sealed class MessageBuilder(IOptions<DigestOptions> options, UnsubscribeTokens tokens, DkimSigning dkim, TimeProvider clock, ReturnPaths returnPaths)
{
    private readonly DigestOptions _o = options.Value;

    private string SenderDomain => _o.Sender.Address[(_o.Sender.Address.LastIndexOf('@') + 1)..];

    private string UnsubscribeMailbox => string.IsNullOrWhiteSpace(_o.Unsubscribe.Mailto) ? $"unsubscribe@{SenderDomain}" : _o.Unsubscribe.Mailto;

    /// <summary>
    /// The same for every send of one edition to one reader, so a receiving server can fold the duplicate
    /// that a crash between "accepted" and "recorded" may cause.
    /// </summary>
    public string MessageIdFor(int edition, string email)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{_o.ListId}\n{email.ToLowerInvariant()}"));
        return $"digest.{edition}.{Convert.ToHexStringLower(hash, 0, 12)}@{SenderDomain}";
    }

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

    public MimeMessage Build(int edition, Delivery delivery, PersonalMessage rendered)
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
        message.Headers.Add(HeaderId.ListUnsubscribe,
            $"<{UnsubscribeUrlFor(token)}>, <mailto:{UnsubscribeMailbox}?subject=unsubscribe%20{token}>");
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
