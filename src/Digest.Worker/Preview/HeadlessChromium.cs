using System.Text.Json;
using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace Digest.Worker.Preview;

/// <summary>
/// Drives the system's Chromium headless through PuppeteerSharp, one short-lived browser per page: the page's
/// layout as the browser measured it (overflow, and whether given texts can be seen) and a screenshot of the
/// whole page. The viewport is set by device-metrics emulation because headless Chromium will not make a
/// window narrower than 500px, while a phone is 375px. PuppeteerSharp never downloads a browser here: it
/// launches the one at <see cref="Executable"/>. Each browser gets a fresh profile folder, so runs share no state.
/// </summary>
public sealed class HeadlessChromium(string executable)
{
    /// <summary>The setting that names the browser when it is not on the PATH.</summary>
    public const string Setting = "Digest:Preview:Chromium";

    /// <summary>Names the browser goes by on the PATH, then where Debian and the common images put it.</summary>
    public static readonly IReadOnlyList<string> Names = ["chromium", "chromium-browser", "google-chrome"];
    public static readonly IReadOnlyList<string> Locations = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public const string Missing = $"Chromium is not installed (apt-get install chromium) or not on the PATH; set {Setting} to its path";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // --no-sandbox: containers and CI usually run as root, where Chromium's sandbox refuses to start.
    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    ];

    public string Executable { get; } = executable;

    /// <summary>
    /// The browser at <paramref name="configured"/> (Digest:Preview:Chromium) when set, else the first found on the
    /// PATH or in <see cref="Locations"/>; null where there is none.
    /// </summary>
    public static HeadlessChromium? Find(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return File.Exists(configured) ? new HeadlessChromium(configured) : null;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var found = Names.SelectMany(name => path.Select(folder => Path.Combine(folder, name))).Concat(Locations).FirstOrDefault(File.Exists);
        return found is null ? null : new HeadlessChromium(found);
    }

    /// <summary>Loads the page at <paramref name="width"/> CSS pixels and measures it in the browser.</summary>
    public Task<PageLayout> MeasureAsync(string htmlFile, int width, IReadOnlyList<string> texts, ColorScheme scheme, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, page => MeasureAsync(page, texts), cancellationToken);

    /// <summary>
    /// Loads the page at <paramref name="width"/> CSS pixels and returns what <paramref name="expression"/> (a
    /// script that evaluates to a string, JSON for instance) computed in it: for checks a test writes itself.
    /// </summary>
    public Task<string> EvaluateAsync(string htmlFile, int width, ColorScheme scheme, string expression, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, async page =>
        {
            try
            {
                return await page.EvaluateExpressionAsync<string>(expression) ?? throw new ChromiumException("the script returned nothing");
            }
            catch (EvaluationFailedException e)
            {
                throw new ChromiumException($"the script failed: {e.Message}");
            }
        }, cancellationToken);

    /// <summary>Saves a PNG of the whole page, <paramref name="width"/> pixels wide; returns the page's layout.</summary>
    public Task<PageLayout> ScreenshotAsync(string htmlFile, string pngFile, int width, ColorScheme scheme, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, async page =>
        {
            var layout = await MeasureAsync(page, []);
            // The viewport is made as tall as the page, so the capture is the whole page at its real layout.
            await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = Math.Max(200, layout.ScrollHeight), DeviceScaleFactor = 1 });
            var png = Path.GetFullPath(pngFile);
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            await File.WriteAllBytesAsync(png, await page.ScreenshotDataAsync(new ScreenshotOptions { Type = ScreenshotType.Png }));
            return layout;
        }, cancellationToken);

    private static async Task<PageLayout> MeasureAsync(IPage page, IReadOnlyList<string> texts)
    {
        var json = await page.EvaluateExpressionAsync<string>(MeasureScript.Replace("__TEXTS__", JsonSerializer.Serialize(texts)))
                   ?? throw new ChromiumException("the measuring script returned nothing");
        return JsonSerializer.Deserialize<PageLayout>(json, JsonSerializerOptions.Web)!;
    }

    private async Task<T> WithPageAsync<T>(string htmlFile, int width, ColorScheme scheme, Func<IPage, Task<T>> body, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("digest-chromium-").FullName;
        try
        {
            await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                UserDataDir = profile,
                Args = Flags,
                Timeout = (int)Timeout.TotalMilliseconds,
                ProtocolTimeout = (int)Timeout.TotalMilliseconds,
            });
            var page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = 1000, DeviceScaleFactor = 1 });
            await page.EmulateMediaFeaturesAsync([new MediaFeatureValue { MediaFeature = MediaFeature.PrefersColorScheme, Value = scheme == ColorScheme.Dark ? "dark" : "light" }]);
            await page.GoToAsync(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri, WaitUntilNavigation.Load);
            return await body(page).WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or PuppeteerException && e is not ChromiumException)
        {
            throw new ChromiumException($"{Executable}: {e.Message}");
        }
        finally
        {
            TryDelete(profile);
        }
    }

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // Runs after the load event; getBoundingClientRect forces layout.
    // A text counts as visible when it has a size, lies within the viewport's width, is not hidden or
    // transparent, and contrasts at least 3:1 with the background behind it (WCAG's floor for large text).
    private const string MeasureScript = """
        (function () {
          var texts = __TEXTS__;
          var vw = window.innerWidth;
          function rgb(c) { var m = c.match(/[\d.]+/g) || [0, 0, 0, 0]; return { r: +m[0], g: +m[1], b: +m[2], a: m.length > 3 ? +m[3] : 1 }; }
          function lum(c) { function f(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); } return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
          function background(el) {
            for (; el; el = el.parentElement) { var c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0) return c; }
            return getComputedStyle(document.documentElement).colorScheme.indexOf('dark') === 0 ? rgb('rgb(18,18,18)') : rgb('rgb(255,255,255)');
          }
          function hidden(el) {
            for (; el; el = el.parentElement) { var s = getComputedStyle(el); if (s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return true; }
            return false;
          }
          // A text that is a whole element (a tool's name) is preferred to one inside a sentence (a title).
          function check(text) {
            var whole = find(text, true), found = whole.hit ? whole : find(text, false);
            return found.hit || { text: text, visible: false, problem: whole.why || found.why || 'is not on the page', left: 0, top: 0 };
          }
          function find(text, whole) {
            var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), node, why = null;
            while ((node = walk.nextNode())) {
              if (whole ? node.nodeValue.trim() !== text : node.nodeValue.indexOf(text) < 0) continue;
              var el = node.parentElement, range = document.createRange();
              range.selectNodeContents(node);
              var box = range.getBoundingClientRect();
              if (box.width < 1 || box.height < 1) { why = 'has no size (hidden)'; continue; }
              if (box.left < -0.5 || box.right > vw + 0.5) { why = 'runs off the side (' + Math.round(box.left) + '..' + Math.round(box.right) + 'px)'; continue; }
              if (hidden(el)) { why = 'is hidden or transparent'; continue; }
              var a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
              var contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
              if (contrast < 3) { why = 'contrasts only ' + contrast.toFixed(1) + ':1 with its background'; continue; }
              return { hit: { text: text, visible: true, problem: null, left: Math.round(box.left), top: Math.round(box.top + window.scrollY) }, why: null };
            }
            return { hit: null, why: why };
          }
          var root = document.documentElement;
          return JSON.stringify({
            viewportWidth: vw, scrollWidth: root.scrollWidth, scrollHeight: Math.max(root.scrollHeight, document.body.scrollHeight),
            texts: texts.map(check)
          });
        })()
        """;
}

public enum ColorScheme
{
    Light,
    Dark,
}

/// <summary>A page as the browser laid it out at one width.</summary>
public sealed record PageLayout(int ViewportWidth, int ScrollWidth, int ScrollHeight, IReadOnlyList<TextOnPage> Texts)
{
    /// <summary>True when the reader would have to scroll sideways.</summary>
    public bool Overflows => ScrollWidth > ViewportWidth;
}

/// <summary>Where a text was found on the page; <see cref="Problem"/> says why it cannot be seen when it cannot.</summary>
public sealed record TextOnPage(string Text, bool Visible, string? Problem, int Left, int Top);

/// <summary>The browser failed, hung, or produced nothing.</summary>
public sealed class ChromiumException(string message) : Exception(message);
