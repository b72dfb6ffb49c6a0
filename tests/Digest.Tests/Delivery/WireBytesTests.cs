using System.Text;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using MimeKit;
using MimeKit.Text;

namespace Digest.Tests.Delivery;

/// <summary>
/// Messages leave from bytes prepared once per edition (the MIME frame and the shared pieces of the body);
/// what reaches the server must be exactly what MimeKit writes when it builds the same parts one by one.
/// </summary>
public sealed class WireBytesTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Alpha vs Beta"),
    Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z", title: "Gamma vs Delta"))
{
    [Fact]
    public async Task A_message_sent_from_prepared_bytes_is_byte_for_byte_the_message_MimeKit_builds_part_by_part()
    {
        Ws.WriteSubscribers(("ada@example.com", "Ada Lovelace"), ("grace@example.com", "Grace \"Amazing\" Hopper <&>"), ("alan@example.com", null));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, Sink.Messages.Count);
        // Prepared once for the edition, not per reader: one frame, so one boundary, for every message.
        Assert.Single(Sink.Messages.Select(m => (m.Parse().Body as Multipart)?.Boundary).Distinct());
        foreach (var received in Sink.Messages) AssertSameAsMimeKitPartByPart(received);
    }

    [Fact]
    public async Task Lines_that_begin_with_a_dot_arrive_as_written_whether_the_edition_or_the_reader_put_them_there()
    {
        // SMTP DATA doubles a dot that begins a line (RFC 5321 4.5.2) and the server takes it off again: a line
        // of one dot left alone would end the message there. Dots here begin the body, lines of the edition's
        // own text, and the reader's name, which starts a line right after a line of the edition.
        File.WriteAllText(Path.Combine(Ws.TemplatesPath, "digest.txt.liquid"), string.Join("\n",
            ".{{ edition.list_name }}",
            "Hi {{ reader.greeting }},",
            "{{ reader.name }}",
            ".",
            "..two dots",
            "{% for comparison in edition.comparisons %}.{{ comparison.title }}",
            "{% endfor %}{{ reader.unsubscribe_url }}",
            ".",
            "The last line, no line break after it."));
        Ws.WriteSubscribers(("ada@example.com", ".Ada Lovelace"), ("alan@example.com", "Alan"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, Sink.Messages.Count);
        var toAda = Sink.Messages.Single(m => m.Recipients.Contains("ada@example.com"));
        var text = toAda.Parse().TextBody;
        Assert.StartsWith(".Weekly AI Tool Verdicts\nHi there,\n.Ada Lovelace\n.\n..two dots\n.Alpha vs Beta\n.Gamma vs Delta\nhttps://", text);
        Assert.EndsWith("\n.\nThe last line, no line break after it.", text);
        Assert.Contains("\nAlan\n.\n..two dots\n", Sink.Messages.Single(m => m != toAda).Parse().TextBody);
        foreach (var received in Sink.Messages) AssertSameAsMimeKitPartByPart(received);
    }

    /// <summary>The body that arrived is exactly what MimeKit writes for the same two parts, built one by one.</summary>
    private static void AssertSameAsMimeKitPartByPart(ReceivedMessage received)
    {
        var sent = received.Parse();
        var alternative = Assert.IsType<MultipartAlternative>(sent.Body);
        var parts = alternative.Cast<TextPart>().ToList();
        Assert.Equal(["text/plain", "text/html"], parts.Select(p => p.ContentType.MimeType));

        // The plain way: MimeKit's own parts, 8bit UTF-8, with the content that arrived and the same boundary.
        using var plain = new MultipartAlternative { Plain(TextFormat.Plain, parts[0]), Plain(TextFormat.Html, parts[1]) };
        plain.Boundary = alternative.Boundary!;
        var wire = FormatOptions.Default.Clone();
        wire.NewLineFormat = NewLineFormat.Dos;
        using var expected = new MemoryStream();
        plain.WriteTo(wire, expected, contentOnly: true);

        var bytes = received.Data;
        var bodyAt = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var headers = Encoding.ASCII.GetString(bytes, 0, bodyAt);
        var contentType = plain.Headers.First(h => h.Id == HeaderId.ContentType);
        Assert.Contains("Content-Type:" + Encoding.ASCII.GetString(contentType.RawValue).ReplaceLineEndings("\r\n"), headers);
        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(bytes, bodyAt, bytes.Length - bodyAt));
        Assert.Equal(expected.ToArray(), bytes[bodyAt..]);
        // The size announced with MAIL FROM (SIZE=, RFC 1870) is worked out from the prepared body, not measured.
        Assert.Equal(bytes.Length, received.DeclaredSize);
    }

    private static TextPart Plain(TextFormat format, TextPart arrived)
    {
        var content = new MemoryStream();
        arrived.Content!.DecodeTo(content);
        content.Position = 0;
        var part = new TextPart(format) { ContentTransferEncoding = ContentEncoding.EightBit, Content = new MimeContent(content, ContentEncoding.EightBit) };
        part.ContentType.Charset = "utf-8";
        return part;
    }
}
