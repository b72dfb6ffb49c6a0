using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Digest.Worker.Preview;

/// <summary>
/// Drives Debian's <c>chromium</c> headless over the DevTools protocol, one short-lived browser per page: the
/// page's layout as the browser measured it (overflow, and whether given texts can be seen) and a screenshot of
/// the whole page. DevTools is needed because headless Chromium will not make a window narrower than 500px,
/// while a phone is 375px: device-metrics emulation sets the viewport exactly. Each browser gets a fresh profile
/// folder and no network services, so runs share no state.
/// </summary>
public sealed partial class HeadlessChromium(string executable)
{
    /// <summary>Where Debian and the common images put the browser.</summary>
    public static readonly IReadOnlyList<string> Locations = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public const string Missing = "Chromium is not installed (apt-get install chromium)";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public string Executable { get; } = executable;

    /// <summary>The installed browser, or null where there is none.</summary>
    public static HeadlessChromium? Find() => Locations.FirstOrDefault(File.Exists) is { } path ? new HeadlessChromium(path) : null;

    /// <summary>Loads the page at <paramref name="width"/> CSS pixels and measures it in the browser.</summary>
    public Task<PageLayout> MeasureAsync(string htmlFile, int width, IReadOnlyList<string> texts, ColorScheme scheme, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, (page, token) => MeasureAsync(page, texts, token), cancellationToken);

    /// <summary>
    /// Loads the page at <paramref name="width"/> CSS pixels and returns what <paramref name="expression"/> (a
    /// script that evaluates to a string, JSON for instance) computed in it: for checks a test writes itself.
    /// </summary>
    public Task<string> EvaluateAsync(string htmlFile, int width, ColorScheme scheme, string expression, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, async (page, token) =>
        {
            var result = await page.SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, token);
            if (result.TryGetProperty("exceptionDetails", out var failed))
                throw new ChromiumException($"the script failed: {failed}");
            return result.GetProperty("result").GetProperty("value").GetString()
                   ?? throw new ChromiumException("the script returned nothing");
        }, cancellationToken);

    /// <summary>Saves a PNG of the whole page, <paramref name="width"/> pixels wide; returns the page's layout.</summary>
    public Task<PageLayout> ScreenshotAsync(string htmlFile, string pngFile, int width, ColorScheme scheme, CancellationToken cancellationToken) =>
        WithPageAsync(htmlFile, width, scheme, async (page, token) =>
        {
            var layout = await MeasureAsync(page, [], token);
            // The viewport is made as tall as the page, so the capture is the whole page at its real layout.
            await page.SendAsync("Emulation.setDeviceMetricsOverride", new { width, height = Math.Max(200, layout.ScrollHeight), deviceScaleFactor = 1, mobile = false }, token);
            var shot = await page.SendAsync("Page.captureScreenshot", new { format = "png" }, token);
            var png = Path.GetFullPath(pngFile);
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            await File.WriteAllBytesAsync(png, shot.GetProperty("data").GetBytesFromBase64(), token);
            return layout;
        }, cancellationToken);

    private static async Task<PageLayout> MeasureAsync(DevToolsSession page, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var expression = MeasureScript.Replace("__TEXTS__", JsonSerializer.Serialize(texts));
        var result = await page.SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, cancellationToken);
        var json = result.GetProperty("result").GetProperty("value").GetString()
                   ?? throw new ChromiumException("the measuring script returned nothing");
        return JsonSerializer.Deserialize<PageLayout>(json, JsonSerializerOptions.Web)!;
    }

    private async Task<T> WithPageAsync<T>(string htmlFile, int width, ColorScheme scheme,
        Func<DevToolsSession, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("digest-chromium-").FullName;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var process = Start(profile);
        try
        {
            var endpoint = await DevToolsEndpointAsync(process, timeout.Token);
            await using var browser = await DevToolsSession.ConnectAsync(endpoint, timeout.Token);
            var target = await browser.SendAsync("Target.createTarget", new { url = "about:blank" }, timeout.Token);
            var attached = await browser.SendAsync("Target.attachToTarget", new { targetId = target.GetProperty("targetId").GetString(), flatten = true }, timeout.Token);
            var page = browser.ForSession(attached.GetProperty("sessionId").GetString()!);
            await page.SendAsync("Emulation.setDeviceMetricsOverride", new { width, height = 1000, deviceScaleFactor = 1, mobile = false }, timeout.Token);
            await page.SendAsync("Emulation.setEmulatedMedia", new { features = new[] { new { name = "prefers-color-scheme", value = scheme == ColorScheme.Dark ? "dark" : "light" } } }, timeout.Token);
            await page.SendAsync("Page.enable", new { }, timeout.Token);
            await page.SendAsync("Page.navigate", new { url = new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri }, timeout.Token);
            await page.WaitForEventAsync("Page.loadEventFired", timeout.Token);
            var result = await body(page, timeout.Token);
            await browser.SendAsync("Browser.close", new { }, timeout.Token);
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChromiumException($"{Executable} did not finish within {Timeout.TotalSeconds:0}s");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            TryDelete(profile);
        }
    }

    private Process Start(string profile)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // --no-sandbox: containers and CI usually run as root, where Chromium's sandbox refuses to start.
        // Port 0: the browser picks a free port and prints it, so parallel runs never collide.
        foreach (var flag in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--hide-scrollbars", "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank",
                 })
            start.ArgumentList.Add(flag);
        return Process.Start(start) ?? throw new ChromiumException($"{Executable} could not be started");
    }

    private async Task<Uri> DevToolsEndpointAsync(Process process, CancellationToken cancellationToken)
    {
        var seen = new System.Text.StringBuilder();
        while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
        {
            var found = DevToolsListening().Match(line);
            if (found.Success)
            {
                // Keep draining stderr so a chatty browser never blocks on a full pipe.
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new Uri(found.Groups[1].Value);
            }
            seen.AppendLine(line);
        }
        throw new ChromiumException($"{Executable} exited before DevTools was ready: {Tail(seen.ToString())}");
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsListening();

    private static string Tail(string text) => text.Length > 600 ? text[^600..] : text;

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
