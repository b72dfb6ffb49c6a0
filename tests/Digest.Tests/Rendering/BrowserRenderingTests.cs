using System.Buffers.Binary;
using System.Text.Json;
using Digest.Tests.Support;
using Digest.Worker.Preview;

namespace Digest.Tests.Rendering;

/// <summary>
/// The sample edition as a reader's browser lays it out, in headless Chromium: no sideways scrolling at 600px or
/// on a 375px phone, every title and tool name readable (in dark mode too), and screenshots an admin can look at
/// in artifacts/screenshots/.
/// </summary>
public sealed class BrowserRenderingTests : WorkspaceTest
{
    private static readonly string Screenshots = Path.Combine(TestWorkspace.RepoRoot, "artifacts", "screenshots");
    private readonly HeadlessChromium _chromium = HeadlessChromium.Find()!;

    public BrowserRenderingTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestWorkspace.RepoRoot, "config", "comparisons"), "*.json"))
            File.Copy(file, Path.Combine(Ws.ImportPath, Path.GetFileName(file)));
        // Every sample comparison in one edition, so every one of them is checked.
        Ws.Settings["Digest:Edition:MaxComparisons"] = "50";
        // The whole footer: the browser view link and a postal address beside the unsubscribe link.
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive";
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly AI Tool Verdicts, 100 Example Street, Springfield, XY 00000";
    }

    [RequiresChromiumFact]
    public async Task The_sample_edition_needs_no_sideways_scrolling_and_shows_every_title_and_tool_at_600px_and_375px()
    {
        var page = await PreviewAsync();
        var expected = SampleTitlesAndTools();

        foreach (var width in new[] { 600, 375 })
        {
            var layout = await _chromium.MeasureAsync(page, width, expected, ColorScheme.Light, CancellationToken.None);
            var png = Path.Combine(Screenshots, $"edition-{width}.png");
            await _chromium.ScreenshotAsync(page, png, width, ColorScheme.Light, CancellationToken.None);

            Assert.Equal(width, layout.ViewportWidth);
            Assert.False(layout.Overflows, $"at {width}px the page is {layout.ScrollWidth}px wide");
            Assert.All(layout.Texts, t => Assert.True(t.Visible, $"at {width}px \"{t.Text}\" {t.Problem}"));
            Assert.Equal(width, PngWidth(png));
        }
    }

    [RequiresChromiumFact]
    public async Task The_two_tools_of_a_comparison_sit_side_by_side_at_600px_and_stack_on_a_phone()
    {
        var page = await PreviewAsync();
        var tools = new[] { "Code Llama 4", "Vercel AI Gateway (v0)" };

        var wide = await _chromium.MeasureAsync(page, 600, tools, ColorScheme.Light, CancellationToken.None);
        var phone = await _chromium.MeasureAsync(page, 375, tools, ColorScheme.Light, CancellationToken.None);

        Assert.Equal(wide.Texts[0].Top, wide.Texts[1].Top);
        Assert.True(wide.Texts[1].Left > 300 - 20, $"second tool starts at {wide.Texts[1].Left}px");
        Assert.True(phone.Texts[1].Top > phone.Texts[0].Top + 100, $"tops {phone.Texts[0].Top} and {phone.Texts[1].Top}");
        Assert.Equal(phone.Texts[0].Left, phone.Texts[1].Left);
    }

    [RequiresChromiumFact]
    public async Task In_dark_mode_every_title_and_tool_name_stays_readable_on_a_phone()
    {
        var page = await PreviewAsync();

        var layout = await _chromium.MeasureAsync(page, 375, SampleTitlesAndTools(), ColorScheme.Dark, CancellationToken.None);
        await _chromium.ScreenshotAsync(page, Path.Combine(Screenshots, "edition-375-dark.png"), 375, ColorScheme.Dark, CancellationToken.None);

        Assert.False(layout.Overflows, $"the page is {layout.ScrollWidth}px wide");
        Assert.All(layout.Texts, t => Assert.True(t.Visible, $"in dark mode \"{t.Text}\" {t.Problem}"));
    }

    [RequiresChromiumFact]
    public async Task With_or_without_its_style_element_the_edition_fits_every_phone_with_readable_sizes_contrast_and_tap_targets()
    {
        var page = await PreviewAsync();
        var bare = WithoutStyleElement(page);
        var summaries = SampleValues("tools", "summary");
        var failures = new List<string>();

        foreach (var (file, style) in new[] { (page, "with <style>"), (bare, "without <style>") })
        foreach (var width in new[] { 320, 375, 414, 600 })
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var at = $"{style}, {width}px, {scheme}";
            var audit = await AuditAsync(file, width, scheme);
            if (audit.ScrollWidth > width) failures.Add($"{at}: the page is {audit.ScrollWidth}px wide");
            foreach (var t in audit.Texts)
            {
                if (t.Left < -0.5 || t.Right > width + 0.5) failures.Add($"{at}: \"{Short(t.Text)}\" runs off the side ({t.Left:0}..{t.Right:0}px)");
                if (t.Size < 13) failures.Add($"{at}: \"{Short(t.Text)}\" is {t.Size}px, under 13px");
                if (t.Contrast < 4.5) failures.Add($"{at}: \"{Short(t.Text)}\" contrasts {t.Contrast:0.00}:1, under 4.5:1");
                var reading = t.Quote || summaries.Contains(t.Text) || t.Text.StartsWith("Hi Ada", StringComparison.Ordinal);
                if (reading && t.Size < 15) failures.Add($"{at}: body text \"{Short(t.Text)}\" is {t.Size}px, under 15px");
            }
            if (audit.Texts.Count(t => t.Quote) < 6) failures.Add($"{at}: the quotes (blockquote) were not found");
            if (!audit.Texts.Any(t => summaries.Contains(t.Text))) failures.Add($"{at}: the summaries were not found");
            var buttons = audit.Links.Where(l => l.Button).ToList();
            var footer = audit.Links.Where(l => l.Footer).ToList();
            if (buttons.Count != summaries.Count / 2 || footer.Count == 0) failures.Add($"{at}: {buttons.Count} buttons and {footer.Count} footer links");
            failures.AddRange(buttons.Where(b => b.Height < 44).Select(b => $"{at}: button \"{b.Name}\" is {b.Height:0.#}px tall, under 44px"));
            failures.AddRange(footer.Where(l => l.Height < 24).Select(l => $"{at}: footer link \"{l.Name}\" is {l.Height:0.#}px tall, under 24px"));
            if (width is 600 or 375)
            {
                var name = $"edition-{width}{(scheme == ColorScheme.Dark ? "-dark" : "")}{(file == bare ? "-no-style" : "")}.png";
                await _chromium.ScreenshotAsync(file, Path.Combine(Screenshots, name), width, scheme, CancellationToken.None);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)) + $"\n({failures.Count} in all)");
    }

    [RequiresChromiumFact]
    public async Task The_edition_has_a_masthead_heading_per_comparison_and_tool_contents_links_and_distinct_link_names()
    {
        var page = WithoutStyleElement(await PreviewAsync());
        var titles = SampleValues("title");
        var tools = SampleValues("tools", "name");

        var audit = await AuditAsync(page, 375, ColorScheme.Light);

        var h1 = Assert.Single(audit.H1);
        Assert.Matches(@"^Weekly AI Tool Verdicts\s*Edition #1 · \d{1,2} \w+ \d{4}$", h1.Name);
        Assert.Equal(titles.Order(), audit.H2.Select(h => h.Name).Order());
        Assert.Equal(tools.Order(), audit.H3.Select(h => h.Name).Order());
        var contents = audit.Links.Where(l => l.Href.StartsWith('#')).ToList();
        Assert.Equal(audit.H2.Select(h => "#" + h.Id), contents.Select(l => l.Href));
        Assert.Equal(audit.H2.Select(h => h.Name), contents.Select(l => l.Name));
        var names = audit.Links.Select(l => l.Name).ToList();
        Assert.True(names.Distinct().Count() == names.Count, "links share a name: " + string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key)));
        Assert.Equal(0, audit.SpokenDashes);
        Assert.Equal(SampleToolsWithoutVotes(), audit.NoVotesForScreenReaders);
    }

    [RequiresChromiumFact]
    public async Task Preview_png_saves_a_screenshot_as_wide_as_asked()
    {
        var png = Path.Combine(Ws.Root, "preview.png");

        var result = await Ws.RunAsync("preview", "--png", png, "--width", "375");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"at 375px written to {png}", result.Error);
        Assert.Equal(375, PngWidth(png));
        Assert.Empty(result.Output);
    }

    [RequiresChromiumFact]
    public async Task Preview_png_launches_the_browser_named_by_Digest_Preview_Chromium()
    {
        var png = Path.Combine(Ws.Root, "preview.png");
        Ws.Settings["Digest:Preview:Chromium"] = _chromium.Executable;

        var result = await Ws.RunAsync("preview", "--png", png, "--width", "600");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(600, PngWidth(png));
    }

    [Fact]
    public async Task Preview_png_with_a_Digest_Preview_Chromium_that_does_not_exist_names_the_setting_and_writes_nothing()
    {
        var png = Path.Combine(Ws.Root, "preview.png");
        Ws.Settings["Digest:Preview:Chromium"] = "/nowhere/chromium";

        var result = await Ws.RunAsync("preview", "--png", png);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Preview:Chromium \"/nowhere/chromium\" does not exist", result.Error);
        Assert.False(File.Exists(png));
    }

    private async Task<string> PreviewAsync()
    {
        var page = Path.Combine(Ws.Root, "preview.html");
        var result = await Ws.RunAsync("preview", "--out", page);
        Assert.True(result.ExitCode == 0, result.ToString());
        return page;
    }

    /// <summary>The page with its &lt;style&gt; element removed, as Gmail's app shows it for non-Google accounts.</summary>
    private string WithoutStyleElement(string page)
    {
        var html = File.ReadAllText(page);
        var bare = System.Text.RegularExpressions.Regex.Replace(html, @"<style[\s\S]*?</style>", "");
        Assert.NotEqual(html, bare);
        var file = Path.Combine(Ws.Root, "preview-no-style.html");
        File.WriteAllText(file, bare);
        return file;
    }

    private async Task<Audit> AuditAsync(string page, int width, ColorScheme scheme) =>
        JsonSerializer.Deserialize<Audit>(await _chromium.EvaluateAsync(page, width, scheme, AuditScript, CancellationToken.None), JsonSerializerOptions.Web)!;

    private static string Short(string text) => text.Length > 50 ? text[..50] + "…" : text;

    private HashSet<string> SampleValues(string field, string? inner = null)
    {
        var values = new HashSet<string>();
        foreach (var file in Directory.GetFiles(Ws.ImportPath, "*.json"))
        foreach (var comparison in JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray())
            if (inner is null) values.Add(comparison.GetProperty(field).GetString()!);
            else values.UnionWith(comparison.GetProperty(field).EnumerateArray().Select(t => t.GetProperty(inner).GetString()!));
        return values;
    }

    private int SampleToolsWithoutVotes() =>
        Directory.GetFiles(Ws.ImportPath, "*.json")
            .SelectMany(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.EnumerateArray())
            .SelectMany(c => c.GetProperty("tools").EnumerateArray())
            .Count(t => t.GetProperty("community").ValueKind == JsonValueKind.Null);

    private sealed record Audit(int ScrollWidth, List<AuditText> Texts, List<AuditLink> Links, List<Heading> H1, List<Heading> H2, List<Heading> H3, int SpokenDashes, int NoVotesForScreenReaders);

    private sealed record AuditText(string Text, double Size, double Contrast, double Left, double Right, bool Quote);

    private sealed record AuditLink(string Name, string Href, double Height, bool Button, bool Footer);

    private sealed record Heading(string Name, string? Id);

    // Every text a reader can see, with its computed size and its contrast against the computed background
    // behind it (WCAG 2.1 relative luminance); every link with its accessible name (aria-hidden parts left out)
    // and height; the headings; and what a screen reader would say for tools without votes.
    private const string AuditScript = """
        (function () {
          function rgb(c) { var m = c.match(/[\d.]+/g) || [0, 0, 0, 0]; return { r: +m[0], g: +m[1], b: +m[2], a: m.length > 3 ? +m[3] : 1 }; }
          function lum(c) { function f(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); } return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
          function background(el) {
            for (; el; el = el.parentElement) { var c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0) return c; }
            return getComputedStyle(document.documentElement).colorScheme.indexOf('dark') === 0 ? rgb('rgb(18,18,18)') : rgb('rgb(255,255,255)');
          }
          function tiny(el) {
            for (; el && el !== document.body; el = el.parentElement) { var r = el.getBoundingClientRect(); if (r.width < 2 || r.height < 2) return true; }
            return false;
          }
          function spoken(el) { var c = el.cloneNode(true); c.querySelectorAll('[aria-hidden="true"]').forEach(function (h) { h.remove(); }); return c.textContent.replace(/\s+/g, ' ').trim(); }
          var texts = [], dashes = 0, walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), node;
          while ((node = walk.nextNode())) {
            var text = node.nodeValue.replace(/\s+/g, ' ').trim(), el = node.parentElement;
            if (!text) continue;
            if (/^[—–-]$/.test(text) && !el.closest('[aria-hidden="true"]')) dashes++;
            var range = document.createRange(); range.selectNodeContents(node);
            var box = range.getBoundingClientRect();
            // Not seen: the preheader (display:none) and text only for screen readers (a 1px box).
            if (box.width < 2 || box.height < 2 || tiny(el)) continue;
            var s = getComputedStyle(el), a = lum(rgb(s.color)), b = lum(background(el));
            texts.push({ text: text, size: parseFloat(s.fontSize), contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
                         left: box.left, right: box.right, quote: !!el.closest('blockquote') });
          }
          function headings(tag) { return Array.prototype.map.call(document.querySelectorAll(tag), function (h) { return { name: spoken(h), id: h.id || null }; }); }
          var links = Array.prototype.map.call(document.querySelectorAll('a[href]'), function (a) {
            return { name: spoken(a), href: a.getAttribute('href'), height: a.getBoundingClientRect().height,
                     button: a.classList.contains('button'), footer: !!a.closest('.footer') };
          });
          var noVotes = Array.prototype.filter.call(document.querySelectorAll('span'), function (s) { return s.textContent === 'no community votes yet'; }).length;
          return JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, texts: texts, links: links,
                                  h1: headings('h1'), h2: headings('h2'), h3: headings('h3'), spokenDashes: dashes, noVotesForScreenReaders: noVotes });
        })()
        """;

    private List<string> SampleTitlesAndTools()
    {
        var texts = new List<string>();
        foreach (var file in Directory.GetFiles(Ws.ImportPath, "*.json"))
        foreach (var comparison in JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray())
        {
            texts.Add(comparison.GetProperty("title").GetString()!);
            texts.AddRange(comparison.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
        }
        Assert.True(texts.Count >= 12, $"the sample should hold several comparisons, found {texts.Count} titles and tools");
        return texts;
    }

    /// <summary>The image width from the PNG header (IHDR), which also proves the file is a PNG.</summary>
    private static int PngWidth(string file)
    {
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"{file} is not a PNG");
        return BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
    }
}
