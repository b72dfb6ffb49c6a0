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
    public async Task Preview_png_saves_a_screenshot_as_wide_as_asked()
    {
        var png = Path.Combine(Ws.Root, "preview.png");

        var result = await Ws.RunAsync("preview", "--png", png, "--width", "375");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"at 375px written to {png}", result.Error);
        Assert.Equal(375, PngWidth(png));
        Assert.Empty(result.Output);
    }

    private async Task<string> PreviewAsync()
    {
        var page = Path.Combine(Ws.Root, "preview.html");
        var result = await Ws.RunAsync("preview", "--out", page);
        Assert.True(result.ExitCode == 0, result.ToString());
        return page;
    }

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
