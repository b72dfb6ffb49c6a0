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
    public async Task The_text_part_carries_the_content_wrapped_to_at_most_72_columns()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z",
            quote: string.Join(' ', Enumerable.Repeat("A long considered opinion about developer experience.", 12))));

        var result = await Ws.RunAsync("preview", "--text");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n');
        Assert.All(lines.Where(l => !l.Contains("://")), l => Assert.True(l.TrimEnd('\r').Length <= 72, $"line too long ({l.TrimEnd('\r').Length}): {l}"));
        Assert.Contains("alpha-vs-beta-alpha", result.Output);
        Assert.Contains("Panel ship 100% | Community: no votes yet | Entry Free", result.Output);
        Assert.Contains("Panel ship 75% | Community: 62% | Entry Paid", result.Output);
        Assert.Contains("Read the full verdict: https://verdicts.example.com/compare/alpha-vs-beta", result.Output);
        Assert.Contains("Hi Ada,", result.Output);
    }

    [Fact]
    public async Task Each_comparison_has_a_bottom_line_that_counts_every_review_not_only_the_quotes_shown()
    {
        var comparison = RealLengthSamples.Comparison(1, "2026-11-20T10:00:00Z", skipLens: "Buyer");
        ((object[])comparison["tools"]!)[1] = Samples.Tool("Lattice Gateway Pro 1", "Developer Tools", 40, 71, "Paid");
        Ws.WriteComparisons("c.json", comparison, Samples.Comparison("alpha-vs-beta", "2026-11-19T10:00:00Z"));

        var html = await Ws.RunAsync("preview");
        var text = await Ws.RunAsync("preview", "--text");

        const string expected = "Panel: Harbor Copilot 1 ships, Lattice Gateway Pro 1 skips · 8 reviewers, 7 ship, 1 skip";
        Assert.Contains(expected, html.Output);
        Assert.Contains(expected, text.Output.Replace("\r\n", " ").Replace("\n", " "));
        Assert.Contains("Panel: both ship · 2 reviewers, 1 ship, 1 skip", html.Output);
    }

    [Fact]
    public async Task Quotes_end_at_a_sentence_end_and_never_put_an_ellipsis_after_a_full_stop()
    {
        Ws.WriteComparisons("c.json", RealLengthSamples.Comparison(1, "2026-11-20T10:00:00Z"));

        var html = await Ws.RunAsync("preview");
        var text = await Ws.RunAsync("preview", "--text");

        Assert.Contains("“The building block of Harbor Copilot 1 is simple and well chosen. The bet is", html.Output);
        Assert.Contains("a loop that fires on every keystroke.”", html.Output);
        Assert.DoesNotMatch(@"[.!?]\s*…", html.Output);
        Assert.DoesNotContain("…", text.Output);
        var flowing = System.Text.RegularExpressions.Regex.Replace(text.Output, @"\s+", " ");
        Assert.Contains("\"The rivals of Lattice Gateway Pro 1 are the usual open and closed coding assistants, and it belongs in that field rather than trailing it.", flowing);
    }

    [Fact]
    public async Task The_quotes_shown_are_one_per_lens_and_both_tools_are_heard()
    {
        Ws.WriteComparisons("c.json", RealLengthSamples.Comparison(1, "2026-11-20T10:00:00Z"));

        var html = await Ws.RunAsync("preview");

        var attributions = System.Text.RegularExpressions.Regex.Matches(html.Output, @"(Developer experience|Competition|Thesis|Buyer) · on ([^<]+?)(?= ·|<)")
            .Select(m => (Lens: m.Groups[1].Value, Tool: m.Groups[2].Value.Trim())).ToList();
        Assert.Equal(RealLengthSamples.Lenses, attributions.Select(a => a.Lens));
        Assert.Equal(2, attributions.Count(a => a.Tool == "Harbor Copilot 1"));
        Assert.Equal(2, attributions.Count(a => a.Tool == "Lattice Gateway Pro 1"));
    }

    [Fact]
    public async Task The_subject_leads_with_the_content_and_leaves_the_list_name_to_From()
    {
        Ws.WriteComparisons("c.json",
            Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Code Llama 4 vs Vercel AI Gateway (v0)"),
            Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z"));

        var eml = await Ws.RunAsync("preview", "--eml");

        var message = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(eml.Output)));
        Assert.Equal("Code Llama 4 vs Vercel AI Gateway (v0) + 1 more · #1", message.Subject);
        Assert.Equal("Weekly AI Tool Verdicts", message.From.Mailboxes.Single().Name);
    }

    [Fact]
    public async Task The_footer_says_why_links_to_the_browser_view_and_unsubscribe_and_prints_the_postal_address()
    {
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive";
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345";
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var html = (await Ws.RunAsync("preview")).Output;
        var footer = html[html.IndexOf("class=\"footer", StringComparison.Ordinal)..];

        Assert.Contains("You get Weekly AI Tool Verdicts because ada@example.com is on the list.", footer);
        Assert.Contains(">View in browser</a>", footer);
        Assert.Contains("href=\"https://weekly-verdicts.example.com/archive/edition-0001.html\"", footer);
        Assert.Matches("href=\"https://weekly-verdicts.example.com/unsubscribe\\?token=[^\"]+\"[^>]*>Unsubscribe with one click</a>", footer);
        Assert.Contains("Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345", footer);
    }

    [Fact]
    public async Task Without_an_archive_url_or_postal_address_the_footer_leaves_them_out()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var html = (await Ws.RunAsync("preview")).Output;

        Assert.DoesNotContain("View in browser", html);
        Assert.Contains("Unsubscribe with one click</a>", html);
    }

    [Fact]
    public async Task Every_message_carries_a_feedback_id_of_edition_list_and_sender()
    {
        Ws.Settings["Digest:Sender:FeedbackId"] = "verdicts";
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        var message = await MimeKit.MimeMessage.LoadAsync(Ws.OutboxFiles(1)[0]);
        Assert.Equal("1:weekly-verdicts.example.com:verdicts", message.Headers["Feedback-ID"]);
    }

    [Fact]
    public async Task A_feedback_id_with_a_colon_stops_start_up_naming_the_setting()
    {
        Ws.Settings["Digest:Sender:FeedbackId"] = "a:b";

        var result = await Ws.RunAsync("preview");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Sender:FeedbackId must be a word without colons or spaces, was \"a:b\"", result.Error);
    }

    [Fact]
    public async Task The_text_part_carries_masthead_contents_bottom_lines_and_footer_in_order_at_72_columns()
    {
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive";
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345";
        Ws.WriteComparisons("c.json",
            RealLengthSamples.Comparison(1, "2026-11-20T10:00:00Z"),
            RealLengthSamples.Comparison(2, "2026-11-19T10:00:00Z"),
            Samples.Comparison("alpha-vs-beta", "2026-11-18T10:00:00Z"));

        var text = (await Ws.RunAsync("preview", "--text")).Output.Replace("\r\n", "\n");

        string[] inOrder =
        [
            "WEEKLY AI TOOL VERDICTS", "Edition #1 · ", "Hi Ada,", "In this issue",
            "1. Harbor Copilot 1 vs Lattice Gateway Pro 1 (preview build)", "3. alpha-vs-beta title",
            "Harbor Copilot 1 vs Lattice Gateway Pro 1 (preview build)\nWhich one should you ship with?", "Panel: both ship · 8 reviewers, 8 ship",
            "Read the full verdict: https://weekly-verdicts.example.com/compare/harbor-copilot-1",
            "alpha-vs-beta title\nWhich one should you ship with?", "Panel: both ship · 2 reviewers, 1 ship, 1 skip",
            "You get Weekly AI Tool Verdicts because your address is on the list:\nada@example.com",
            "View in browser: https://weekly-verdicts.example.com/archive/edition-0001.html",
            "Unsubscribe with one click:\nhttps://weekly-verdicts.example.com/unsubscribe?token=",
            "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345",
        ];
        var at = 0;
        foreach (var part in inOrder)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"\"{part}\" is missing or out of order after position {at}:\n{text}");
            at = found + part.Length;
        }
        Assert.All(text.Split('\n').Where(l => !l.Contains("://")), l => Assert.True(l.Length <= 72, $"line too long ({l.Length}): {l}"));
    }

    [Fact]
    public async Task A_tool_without_community_votes_says_so_to_screen_readers_instead_of_a_bare_dash()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var html = (await Ws.RunAsync("preview")).Output;

        Assert.Contains("<span aria-hidden=\"true\">—</span>", html);
        Assert.Contains(">no community votes yet</span>", html);
        Assert.DoesNotMatch(">\\s*—\\s*<(?!/span>)", html.Replace("<span aria-hidden=\"true\">—</span>", ""));
    }

    [Fact]
    public async Task The_button_is_bulletproof_for_outlook_padding_on_its_cell_and_a_distinct_name_per_comparison()
    {
        Ws.WriteComparisons("c.json",
            Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"),
            Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z"));

        var html = (await Ws.RunAsync("preview")).Output;

        var cells = System.Text.RegularExpressions.Regex.Matches(html, "<td[^>]*bgcolor=\"#4338ca\"[^>]*style=\"[^\"]*mso-padding-alt:12px 20px[^\"]*\"[^>]*>\\s*<a href=\"([^\"]+)\" class=\"button\"[^>]*>(.+?)</a>");
        Assert.Equal(2, cells.Count);
        // The accessible name: the link's text without what is hidden from screen readers.
        var names = cells.Select(c => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(c.Groups[2].Value, "<span aria-hidden=\"true\">.*?</span>", ""), "<[^>]+>", "").Trim());
        Assert.Equal(["Read the full verdict on alpha-vs-beta title", "Read the full verdict on gamma-vs-delta title"], names);
    }

    [Fact]
    public async Task Html_at_max_comparisons_of_real_length_stays_under_gmails_102_KB_clip_with_no_images()
    {
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive";
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345";
        var max = new DigestOptions().Edition.MaxComparisons;
        Ws.WriteComparisons("c.json", Enumerable.Range(1, max + 2).Select(i => (object)RealLengthSamples.Comparison(i, $"2026-11-{20 - i}T10:00:00Z")).ToArray());

        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        var message = await MimeKit.MimeMessage.LoadAsync(Ws.OutboxFiles(1)[0]);
        var bytes = System.Text.Encoding.UTF8.GetByteCount(message.HtmlBody!);
        Assert.Equal(max, System.Text.RegularExpressions.Regex.Matches(message.HtmlBody!, "<h2 ").Count);
        Assert.True(bytes < 102 * 1024, $"the HTML is {bytes} bytes at {max} comparisons");
        Assert.DoesNotContain("<img", message.HtmlBody);
    }

    [Fact]
    public async Task Sending_over_smtp_without_a_postal_address_warns_at_start_up()
    {
        Ws.Settings["Digest:Smtp:Host"] = "127.0.0.1";
        Ws.Settings["Digest:Smtp:Security"] = "None";
        var log = new LogCapture();
        await using (var services = Ws.Services(log: log))
            await StartupCheck.RunAsync(services, templates: false);
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345";
        var logWithAddress = new LogCapture();
        await using (var services = Ws.Services(log: logWithAddress))
            await StartupCheck.RunAsync(services, templates: false);

        Assert.Contains("Digest:Sender:PostalAddress is not set", log.Text);
        Assert.DoesNotContain("PostalAddress", logWithAddress.Text);
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
