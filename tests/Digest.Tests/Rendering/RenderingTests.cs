using Digest.Tests.Support;

namespace Digest.Tests.Rendering;

/// <summary>Rendering with the real templates of templates/, seen through `preview` as an admin sees it.</summary>
public sealed class RenderingTests : WorkspaceTest
{
    [Fact]
    public async Task Hostile_content_in_a_quote_stays_text_in_the_html()
    {
        Ws.WriteComparisons("hostile.json", Samples.Comparison("hostile", "2026-11-20T10:00:00Z",
            quote: "<script>alert('x')</script> & <b>bold</b> \"claims\""));

        var result = await Ws.RunAsync("preview");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("<script>", result.Output);
        Assert.DoesNotContain("<b>bold</b>", result.Output);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;", result.Output);
    }

    [Fact]
    public async Task The_text_part_carries_the_content_wrapped_to_at_most_78_columns()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z",
            quote: string.Join(' ', Enumerable.Repeat("A long considered opinion about developer experience.", 12))));

        var result = await Ws.RunAsync("preview", "--text");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n');
        Assert.All(lines.Where(l => !l.Contains("://")), l => Assert.True(l.TrimEnd('\r').Length <= 78, $"line too long ({l.Length}): {l}"));
        Assert.Contains("alpha-vs-beta-alpha", result.Output);
        Assert.Contains("Panel ship 100% | Community — | Entry Free", result.Output);
        Assert.Contains("Panel ship 75% | Community 62% | Entry Paid", result.Output);
        Assert.Contains("Read the full verdict: https://verdicts.example.com/compare/alpha-vs-beta", result.Output);
        Assert.Contains("Hi Ada,", result.Output);
    }

    [Fact]
    public async Task In_the_text_part_a_long_tool_line_continues_indented_under_its_bullet()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("preview", "--text");

        var lines = result.Output.Replace("\r", "").Split('\n');
        var bullet = Array.FindIndex(lines, l => l.StartsWith("* alpha-vs-beta-alpha (Developer Tools):", StringComparison.Ordinal));
        Assert.True(bullet >= 0, result.Output);
        Assert.Equal("  thing well", lines[bullet + 1]);
    }

    [Fact]
    public async Task The_html_is_a_600px_table_layout_with_a_preheader_and_the_readers_own_unsubscribe_link()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var ada = await Ws.RunAsync("preview", "--subscriber", "ada@example.com");
        var grace = await Ws.RunAsync("preview", "--subscriber", "grace@example.com");

        Assert.Equal(0, ada.ExitCode);
        Assert.Contains("width=\"600\"", ada.Output);
        Assert.Contains("role=\"presentation\"", ada.Output);
        Assert.Contains("display:none", ada.Output);
        Assert.Contains("Hi Ada,", ada.Output);
        Assert.Contains("Hi Grace,", grace.Output);
        var link = System.Text.RegularExpressions.Regex.Match(ada.Output, "unsubscribe\\?token=([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(link);
        Assert.DoesNotContain(link, grace.Output);
    }

    [Fact]
    public async Task A_subscriber_not_in_the_file_cannot_be_previewed()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("preview", "--subscriber", "nobody@example.com");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nobody@example.com is not in the subscriber file", result.Error);
    }

    [Fact]
    public async Task Preview_writes_a_file_and_records_nothing()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        var file = Path.Combine(Ws.Root, "preview.html");

        var result = await Ws.RunAsync("preview", "--out", file);
        var status = await Ws.RunAsync("status");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("<!DOCTYPE html>", File.ReadAllText(file));
        Assert.DoesNotContain("#1", status.Output);
        Assert.Empty(Ws.OutboxFiles(1));
    }
}

public sealed class PersonalRenderingTests : SinkTest
{
    public PersonalRenderingTests() : base(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z")) =>
        Ws.WriteSubscribers(("ada@example.com", "Ada Lovelace"), ("grace@example.com", "Grace <Hopper> & Co"), ("alan@example.com", null));

    [Fact]
    public async Task Every_reader_gets_the_same_message_a_full_render_for_them_gives()
    {
        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        foreach (var email in new[] { "ada@example.com", "grace@example.com", "alan@example.com" })
        {
            var message = Assert.Single(Sink.To(email)).Parse();
            var html = await Ws.RunAsync("preview", "--edition", "1", "--subscriber", email);
            var text = await Ws.RunAsync("preview", "--edition", "1", "--subscriber", email, "--text");
            Assert.Equal(html.Output, message.HtmlBody);
            Assert.Equal(text.Output, message.TextBody);
        }
        Assert.Contains("Hi Grace,", Sink.To("grace@example.com")[0].Parse().TextBody);
        Assert.Contains("grace@example.com is on the list", Sink.To("grace@example.com")[0].Parse().HtmlBody);
    }

    [Fact]
    public async Task A_template_that_tests_whether_a_reader_has_a_name_still_renders_each_reader_right()
    {
        var text = Path.Combine(Ws.TemplatesPath, "digest.txt.liquid");
        File.WriteAllText(text, "{% if reader.name %}Dear {{ reader.name }}{% else %}Dear reader{% endif %}\n" + File.ReadAllText(text));

        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.StartsWith("Dear Ada Lovelace", Sink.To("ada@example.com")[0].Parse().TextBody);
        Assert.StartsWith("Dear reader", Sink.To("alan@example.com")[0].Parse().TextBody);
    }

    [Fact]
    public async Task A_template_that_filters_a_reader_value_still_renders_each_reader_right()
    {
        var html = Path.Combine(Ws.TemplatesPath, "digest.html.liquid");
        File.WriteAllText(html, File.ReadAllText(html).Replace("<body", "<p>{{ reader.greeting | upcase }}</p><body"));

        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("<p>ADA</p>", Sink.To("ada@example.com")[0].Parse().HtmlBody);
        Assert.Contains("<p>GRACE</p>", Sink.To("grace@example.com")[0].Parse().HtmlBody);
        Assert.Contains("<p>THERE</p>", Sink.To("alan@example.com")[0].Parse().HtmlBody);
    }
}
