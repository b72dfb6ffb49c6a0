using System.Reflection;
using System.Text.Json;
using Digest.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Cli;

/// <summary>Every kind of log line has an event id of its own, stable and listed in the README, for log queries.</summary>
public sealed class LogEventIdTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_send_now_with_json_logs_gives_the_edition_planned_and_its_summary_their_documented_ids_and_no_Digest_line_goes_without_one()
    {
        Ws.Settings["Digest:LogFormat"] = "json";
        using var sender = ChildWorker.Start(Ws, "send-now");
        Assert.True(await sender.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, sender.Output);

        var lines = sender.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int IdOf(string start) => lines.Single(l => l.GetProperty("Message").GetString()!.StartsWith(start, StringComparison.Ordinal)).GetProperty("EventId").GetInt32();

        Assert.Equal(2001, IdOf("Edition 1 planned"));
        Assert.Equal(2003, IdOf("Edition 1: 3 sent"));
        Assert.Equal(1002, IdOf("Using config"));
        Assert.All(lines.Where(l => l.GetProperty("Category").GetString()!.StartsWith("Digest", StringComparison.Ordinal)),
            l => Assert.True(l.GetProperty("EventId").GetInt32() != 0, l.ToString()));
    }

    [Fact]
    public void Every_event_id_is_unique_named_and_listed_in_the_README_table()
    {
        var events = new[] { typeof(DigestRun).Assembly, typeof(Worker.Cli.DigestCli).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.Name.EndsWith("Events", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(EventId)))
            .Select(f => (EventId)f.GetValue(null)!)
            .ToList();
        Assert.True(events.Count >= 40, $"only {events.Count} event ids found");
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(events.Count, events.Select(e => e.Name).Distinct().Count());
        var readme = File.ReadAllText(Path.Combine(TestWorkspace.RepoRoot, "README.md"));
        Assert.All(events, e => Assert.Contains($"| {e.Id} | `{e.Name}` |", readme));
    }

    [Fact]
    public void Every_log_call_in_the_source_names_its_event_id()
    {
        var calls = Directory.EnumerateFiles(Path.Combine(TestWorkspace.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"\.Log(Trace|Debug|Information|Warning|Error|Critical)\(\s*(?<first>[^,)]*)")
                .Select(m => (File: Path.GetFileName(f), First: m.Groups["first"].Value.Trim())))
            .ToList();
        Assert.NotEmpty(calls);
        // The event id comes first, before an exception: LogError(EventId, Exception, message, …).
        Assert.All(calls, c => Assert.True(c.First.Contains("Events.", StringComparison.Ordinal), $"{c.File}: a log call starts with {c.First}"));
    }
}
