using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Digest.Rendering;
using MimeKit;
using MimeKit.IO;
using MimeKit.Text;

namespace Digest.Messages;

/// <summary>
/// A reader's multipart/alternative body written straight from bytes: the MIME frame (boundaries and the
/// parts' headers) prepared once per <see cref="BodyFrame"/>, the shared pieces of the rendered edition as
/// they are, and only the reader's own pieces in between. Written this way a message skips MimeKit's
/// per-part stream filters and copies, which cost more CPU per message than the rest of its composition.
/// </summary>
/// <remarks>
/// The bytes are exactly those MimeKit writes for the same parts (<see cref="Plain"/>), which is where this
/// body turns into when exactness would need MimeKit: a 7-bit encoding (DKIM signing fixes one; a server
/// without 8BITMIME needs one) or line ends other than CRLF (the outbox's .eml files).
/// </remarks>
public sealed class PreparedBody : MimeEntity
{
    private readonly BodyFrame _frame;
    private readonly MessageBody _text, _html;
    private Multipart? _plain;

    internal PreparedBody(BodyFrame frame, MessageBody text, MessageBody html)
        : base(new ContentType("multipart", "alternative") { Boundary = frame.Boundary })
    {
        _frame = frame;
        _text = text;
        _html = html;
    }

    /// <summary>
    /// Asked just before the body's last bytes are written: the message cannot be accepted (the server needs the
    /// final ".") before the task it returns completes, and is cut off unfinished when it faults (see
    /// <see cref="Transport.IMailConnection.SendAsync"/>).
    /// </summary>
    public Func<Task>? EndAfter { get; set; }

    /// <summary>
    /// Set by the SMTP transport: MailKit sends with DATA, writing the message through a
    /// <see cref="FilteredStream"/> whose one filter dot-stuffs it (RFC 5321 4.5.2) a byte at a time, about an
    /// eighth of the worker's CPU per message (perf, 100,000 readers). The body then writes its pieces stuffed
    /// itself, a vectorised search for line-starting dots, straight to the stream beneath that filter. Over
    /// BDAT (the server offers CHUNKING) nothing is stuffed and MailKit writes to no filter: the flag does nothing.
    /// </summary>
    public bool StuffedForData { get; set; }

    /// <summary>The same body as MimeKit builds it part by part; once asked for, it is what is written.</summary>
    public Multipart Plain() => _plain ??= BodyFrame.PlainBody(_frame.Boundary, _text, _html);

    /// <summary>
    /// How many bytes <see cref="WriteTo(FormatOptions, Stream, bool, CancellationToken)"/> writes as content with
    /// these options, without writing them; null when that needs MimeKit (the body went <see cref="Plain"/>).
    /// </summary>
    public long? ContentLength(FormatOptions options) =>
        _plain is null && BodyFrame.Fits(options)
            ? _frame.BeforeText.Length + _text.Length + _frame.BeforeHtml.Length + _html.Length + _frame.End.Length
            : null;

    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
    {
        if (constraint is EncodingConstraint.SevenBit) Plain().Prepare(constraint, maxLineLength);
        else _plain?.Prepare(constraint, maxLineLength);
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (_plain is not null || !BodyFrame.Fits(options))
        {
            Plain().WriteTo(options, stream, contentOnly, cancellationToken);
        }
        else
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);
            foreach (var piece in Pieces())
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var at = 0; at < piece.Length; at += Block)
                    stream.Write(piece.Span.Slice(at, Math.Min(Block, piece.Length - at)));
            }
        }
        EndAfter?.Invoke().WaitAsync(cancellationToken).GetAwaiter().GetResult();
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (_plain is not null || !BodyFrame.Fits(options))
        {
            await Plain().WriteToAsync(options, stream, contentOnly, cancellationToken);
        }
        else
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
            if (StuffedForData && stream is FilteredStream { Source: var data })
            {
                // The filter has seen the part headers' blank line, so it is at the start of a line: what it
                // would add at its flush (a CRLF after a last line without one) comes with the pieces instead.
                foreach (var segment in DotStuffed(Pieces())) await data.WriteAsync(segment, cancellationToken);
            }
            else foreach (var piece in Pieces())
            {
                // MimeKit's filtered streams take arrays; every piece here is one (UTF-8 from the renderer).
                var array = MemoryMarshal.TryGetArray(piece, out var segment) ? segment : new ArraySegment<byte>(piece.ToArray());
                for (var at = 0; at < array.Count; at += Block)
                    await stream.WriteAsync(array.Array!, array.Offset + at, Math.Min(Block, array.Count - at), cancellationToken);
            }
        }
        if (EndAfter is { } end) await end().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The most written at once. A stream filter (MailKit's dot-stuffing for DATA) sizes its output buffer to
    /// the largest write: a 50 KB piece in one write cost a new 50 KB buffer per message.
    /// </summary>
    private const int Block = 4096;

    private static readonly ReadOnlyMemory<byte> Dot = "."u8.ToArray(), LineEnd = "\r\n"u8.ToArray();

    /// <summary>
    /// The pieces as SMTP DATA carries them: a dot that begins a line gets another before it, and the data ends
    /// with a line end, as MailKit's <c>SmtpDataFilter</c> writes them. A piece starts a line when the one before
    /// it ended one (a reader's value may follow a line of the edition's text).
    /// </summary>
    internal static IEnumerable<ReadOnlyMemory<byte>> DotStuffed(IEnumerable<ReadOnlyMemory<byte>> pieces)
    {
        var lineStart = true;
        foreach (var piece in pieces)
        {
            if (piece.IsEmpty) continue;
            if (lineStart && piece.Span[0] == '.') yield return Dot;
            var from = 0;
            for (int dot; (dot = LineStartingDot(piece, from)) >= 0; from = dot)
            {
                yield return piece[from..dot];
                yield return Dot;
            }
            yield return piece[from..];
            lineStart = piece.Span[^1] == '\n';
        }
        if (!lineStart) yield return LineEnd;
    }

    /// <summary>Where the next dot that begins a line is, at or after <paramref name="from"/>; -1 when none.</summary>
    private static int LineStartingDot(ReadOnlyMemory<byte> piece, int from)
    {
        var at = piece.Span[from..].IndexOf("\n."u8);
        return at < 0 ? -1 : from + at + 1;
    }

    private IEnumerable<ReadOnlyMemory<byte>> Pieces()
    {
        yield return _frame.BeforeText;
        foreach (var piece in _text.Pieces) yield return piece;
        yield return _frame.BeforeHtml;
        foreach (var piece in _html.Pieces) yield return piece;
        yield return _frame.End;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _plain?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// The MIME frame around a text and an HTML part, as MimeKit writes it on the wire (CRLF), made once with a
/// boundary of its own: what <see cref="PreparedBody"/> writes between the parts' contents.
/// </summary>
public sealed class BodyFrame
{
    private static readonly byte[] TextMarker = "\0DigestText\0"u8.ToArray(), HtmlMarker = "\0DigestHtml\0"u8.ToArray();

    public string Boundary { get; }
    internal byte[] BeforeText { get; }
    internal byte[] BeforeHtml { get; }
    internal byte[] End { get; }

    public BodyFrame()
    {
        // Random like MimeKit's own, so no rendered content can contain it; one boundary for all the readers.
        Boundary = "=-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('/', '_').Replace('+', '.');
        using var plain = PlainBody(Boundary, new MessageBody([TextMarker]), new MessageBody([HtmlMarker]));
        using var written = new MemoryStream();
        plain.WriteTo(Wire, written, contentOnly: true);
        var bytes = written.ToArray().AsSpan();
        var text = bytes.IndexOf(TextMarker);
        var html = bytes.IndexOf(HtmlMarker);
        if (text < 0 || html < text) throw new InvalidOperationException("MimeKit wrote the parts of a multipart/alternative out of order");
        BeforeText = bytes[..text].ToArray();
        BeforeHtml = bytes[(text + TextMarker.Length)..html].ToArray();
        End = bytes[(html + HtmlMarker.Length)..].ToArray();
    }

    /// <summary>Options the frame's bytes are right for: CRLF, the format MailKit sends with.</summary>
    internal static bool Fits(FormatOptions options) => options.NewLineFormat == NewLineFormat.Dos;

    private static readonly FormatOptions Wire = CreateWire();

    private static FormatOptions CreateWire()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }

    /// <summary>The body the way MimeKit builds it part by part, with this boundary.</summary>
    internal static Multipart PlainBody(string boundary, MessageBody text, MessageBody html)
    {
        var body = new MultipartAlternative { Boundary = boundary };
        body.Add(Part(TextFormat.Plain, text));
        body.Add(Part(TextFormat.Html, html));
        return body;
    }

    /// <summary>A UTF-8 text part sent as 8bit straight from the rendered pieces: no re-encoding per reader.</summary>
    internal static TextPart Part(TextFormat format, MessageBody body)
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
}

/// <summary>
/// One pass over a body's pieces: its longest line, and whether every LF has its CR (MimeKit's CRLF filter
/// would add the missing ones, so only such a body's bytes are the same without it).
/// </summary>
internal readonly record struct WireText(int LongestLine, bool CrlfOnly)
{
    /// <summary>RFC 5321 4.5.3.1.6: 1,000 octets a line with its CRLF.</summary>
    public const int MaxLineOctets = 998;

    /// <summary>Whether the body may be written from a <see cref="BodyFrame"/>: CRLF text that suits 8bit transport.</summary>
    public bool SuitsFrame => CrlfOnly && LongestLine <= MaxLineOctets;

    public static WireText Check(MessageBody body)
    {
        int longest = 0, current = 0;
        var crlfOnly = true;
        var previous = (byte)0;
        foreach (var piece in body.Pieces)
        {
            var span = piece.Span;
            if (span.IsEmpty) continue;
            var last = span[^1];
            while (span.IndexOf((byte)'\n') is var at and >= 0)
            {
                var cr = (at > 0 ? span[at - 1] : previous) == '\r';
                crlfOnly &= cr;
                // The CRLF is not part of the line's length.
                longest = Math.Max(longest, current + at - (cr ? 1 : 0));
                current = 0;
                previous = (byte)'\n';
                span = span[(at + 1)..];
            }
            current += span.Length;
            previous = last;
        }
        return new WireText(Math.Max(longest, current), crlfOnly);
    }
}
