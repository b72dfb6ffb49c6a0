using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Digest.Rendering;

/// <summary>
/// One edition (for one set of categories) rendered once, with each reader's values left as slots. Filling
/// the slots for a reader costs a few small encodes instead of a whole Liquid render and a 50 KB string,
/// which is most of the CPU per message otherwise (the templates are the same for every reader; only the
/// greeting, the address and the unsubscribe link differ).
/// </summary>
/// <remarks>
/// The slots only work where a template prints a reader value as it is. A template that tests a reader value
/// or runs it through a filter (<c>{% if reader.name %}</c>, <c>{{ reader.greeting | upcase }}</c>) would be
/// rendered wrongly, so <see cref="CreateAsync"/> checks the result against a full render for a real reader
/// and returns null when they differ; the caller then renders every reader in full.
/// </remarks>
public sealed class PersonalTemplate
{
    // Letters and digits only, so that neither the HTML encoder nor wrapping changes them.
    private const string MarkerPrefix = "QxDigestSlot";
    private const string MarkerSuffix = "xQ";
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly Segments _subject, _html, _text;

    private PersonalTemplate(RenderedMessage withMarkers)
    {
        _subject = Segments.Split(withMarkers.Subject);
        _html = Segments.Split(HtmlForWire(withMarkers.Html));
        _text = Segments.Split(ForWire(withMarkers.Text));
    }

    /// <summary>Renders <paramref name="edition"/> once with slots; null when the templates cannot be filled slot by slot.</summary>
    /// <remarks>
    /// Checked against full renders for the first real reader and for a reader with no name (the marker
    /// reader has every value, so a test like <c>{% if reader.name %}</c> would otherwise go unnoticed).
    /// </remarks>
    public static async Task<PersonalTemplate?> CreateAsync(DigestRenderer renderer, EditionView edition, ReaderView sample)
    {
        var template = new PersonalTemplate(await renderer.RenderAsync(edition, Markers));
        foreach (var reader in new[] { sample, sample with { Name = null, Greeting = "there" } })
        {
            var full = await renderer.RenderAsync(edition, reader);
            var filled = template.Fill(reader);
            if (filled.Subject != full.Subject || filled.Text.AsString() != ForWire(full.Text) || filled.Html.AsString() != HtmlForWire(full.Html))
                return null;
        }
        return template;
    }

    public PersonalMessage Fill(ReaderView reader)
    {
        string[] raw = [reader.Email, reader.Name ?? "", reader.Greeting, reader.UnsubscribeUrl];
        var utf8 = raw.Select(Encoding.UTF8.GetBytes).ToArray();
        var html = raw.Select(v => Encoding.UTF8.GetBytes(Html.Encode(v))).ToArray();
        return new PersonalMessage(_subject.AsString(raw), new MessageBody(_html.Fill(html)), new MessageBody(_text.Fill(utf8)));
    }

    private static readonly ReaderView Markers = new(Marker(0), Marker(1), Marker(2), Marker(3));

    private static string Marker(int slot) => $"{MarkerPrefix}{slot}{MarkerSuffix}";

    /// <summary>Text as it goes on the wire: CRLF line ends, done once here rather than by a filter per message.</summary>
    public static string ForWire(string text) => text.Replace("\r\n", "\n").Replace("\n", "\r\n");

    public static string HtmlForWire(string html) => ForWire(FoldLongLines(html));

    /// <summary>
    /// Breaks HTML lines longer than 900 characters at a space, so the part can go as 8bit (SMTP allows 998
    /// octets a line). A line break is white space to HTML, and these templates put no spaces in URLs.
    /// </summary>
    public static string FoldLongLines(string html)
    {
        const int limit = 900;
        if (!html.Split('\n').Any(l => l.Length > limit)) return html;
        var folded = new StringBuilder(html.Length + html.Length / limit);
        foreach (var line in html.Split('\n'))
        {
            var start = 0;
            while (line.Length - start > limit)
            {
                var cut = line.LastIndexOf(' ', start + limit, limit);
                if (cut <= start) break;
                folded.Append(line, start, cut - start).Append('\n');
                start = cut + 1;
            }
            folded.Append(line, start, line.Length - start).Append('\n');
        }
        return folded.ToString(0, folded.Length - 1);
    }

    /// <summary>Rendered output cut at the slots: literal UTF-8 pieces, and which reader value goes between them.</summary>
    private sealed class Segments(IReadOnlyList<byte[]> literals, IReadOnlyList<int> slots, IReadOnlyList<string> text)
    {
        public static Segments Split(string rendered)
        {
            var literals = new List<byte[]>();
            var slots = new List<int>();
            var text = new List<string>();
            var at = 0;
            while (true)
            {
                var marker = rendered.IndexOf(MarkerPrefix, at, StringComparison.Ordinal);
                if (marker < 0) break;
                var end = rendered.IndexOf(MarkerSuffix, marker + MarkerPrefix.Length, StringComparison.Ordinal);
                if (end < 0 || !int.TryParse(rendered.AsSpan(marker + MarkerPrefix.Length, end - marker - MarkerPrefix.Length), out var slot)) break;
                text.Add(rendered[at..marker]);
                slots.Add(slot);
                at = end + MarkerSuffix.Length;
            }
            text.Add(rendered[at..]);
            literals.AddRange(text.Select(Encoding.UTF8.GetBytes));
            return new Segments(literals, slots, text);
        }

        public IReadOnlyList<ReadOnlyMemory<byte>> Fill(byte[][] values)
        {
            var pieces = new ReadOnlyMemory<byte>[literals.Count + slots.Count];
            for (var i = 0; i < slots.Count; i++)
            {
                pieces[2 * i] = literals[i];
                pieces[2 * i + 1] = values[slots[i]];
            }
            pieces[^1] = literals[^1];
            return pieces;
        }

        public string AsString(string[]? values = null)
        {
            var result = new StringBuilder();
            for (var i = 0; i < slots.Count; i++) result.Append(text[i]).Append(values?[slots[i]] ?? Marker(slots[i]));
            return result.Append(text[^1]).ToString();
        }
    }
}

/// <summary>One reader's message content, ready for MIME: the subject and the two bodies as UTF-8 pieces.</summary>
public sealed record PersonalMessage(string Subject, MessageBody Html, MessageBody Text);

/// <summary>A body as UTF-8 pieces, most of them shared by every reader of the edition.</summary>
public sealed class MessageBody(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
{
    public IReadOnlyList<ReadOnlyMemory<byte>> Pieces { get; } = pieces;

    public long Length => Pieces.Sum(p => (long)p.Length);

    public static MessageBody From(string text) => new([Encoding.UTF8.GetBytes(text)]);

    public string AsString()
    {
        var bytes = new byte[Length];
        var at = 0;
        foreach (var piece in Pieces)
        {
            piece.Span.CopyTo(bytes.AsSpan(at));
            at += piece.Length;
        }
        return Encoding.UTF8.GetString(bytes);
    }
}
