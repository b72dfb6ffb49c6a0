using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Digest.Tests.Support;

namespace Digest.Tests.Rendering;

/// <summary>The sample edition as SpamAssassin (Debian's, local rules only: no network tests) scores it.</summary>
public sealed partial class SpamScoreTests : WorkspaceTest
{
    [RequiresSpamAssassinFact]
    public async Task SpamAssassin_with_local_rules_scores_the_sample_edition_under_1()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestWorkspace.RepoRoot, "config", "comparisons"), "*.json"))
            File.Copy(file, Path.Combine(Ws.ImportPath, Path.GetFileName(file)));
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive";
        Ws.Settings["Digest:Sender:PostalAddress"] = "Weekly Verdicts Ltd, 12 Sample Lane, Springfield 12345";
        var sent = await Ws.RunAsync("send-now");
        Assert.True(sent.ExitCode == 0, sent.ToString());

        var report = await ScoreAsync(Ws.OutboxFiles(1)[0]);

        var status = SpamStatus().Match(report);
        Assert.True(status.Success, report);
        var score = double.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(score < 1.0, $"SpamAssassin scored {score}:\n{report}");
    }

    private static async Task<string> ScoreAsync(string eml)
    {
        // -L: local tests only (no DNS blocklists or Razor), so the score depends on the message alone; -t: report.
        var start = new ProcessStartInfo(RequiresSpamAssassinFactAttribute.Executable, ["-L", "-t"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(eml));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }

    [GeneratedRegex(@"X-Spam-Status: \w+, score=(-?[\d.]+)")]
    private static partial Regex SpamStatus();
}
