using Digest.Tests.Support;
using Xunit.Abstractions;

namespace Digest.Tests.Delivery;

/// <summary>The disk that holds the store is full when an edition is planned.</summary>
public sealed class DiskFullTests(ITestOutputHelper log) : SinkTest
{
    private const int Readers = 1000;
    private const int Connections = 2;

    private SmallDisk Mount()
    {
        var disk = SmallDisk.TryMount(Path.Combine(Ws.Root, "data"), "32m")!;
        Ws.Settings["Digest:Smtp:Connections"] = Connections.ToString();
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:30";
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D4}@example.com", (string?)null)).ToArray());
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return disk;
    }

    private static void AssertOneLineNamingThePath(CliResult full, SmallDisk disk)
    {
        Assert.True(full.ExitCode == 3, full.ToString());
        var message = Assert.Single(full.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("progress:"));
        Assert.Contains("No space left on device", message);
        Assert.Contains(disk.Path, message);
        Assert.DoesNotContain(" at ", message);
    }

    private async Task AssertTheNextRunSendsEveryoneOnceAsync()
    {
        Sink.DataDelay = TimeSpan.Zero;
        var resumed = await Ws.RunAsync("send-now");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var perReader = Sink.Messages.GroupBy(m => m.Recipients.Single()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Readers, perReader.Count);
        Assert.InRange(perReader.Values.Sum(n => n - 1), 0, Connections);
    }

    [RequiresSmallDiskFact]
    public async Task A_disk_full_while_planning_gives_exit_3_and_one_line_naming_the_path_and_the_next_run_sends_the_edition()
    {
        using var disk = Mount();
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"))).ExitCode);
        var filler = disk.Fill();

        // In a process of its own: LiteDB can leave a transaction whose finalizer throws after a failed write,
        // which would take the test host down with it.
        using var child = ChildWorker.Start(Ws, "send-now");
        var exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        // What the command printed, without the log lines (a timestamp, then the level).
        var printed = child.Output.Split('\n').Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+: "));
        var full = new CliResult(exit, "", string.Join('\n', printed));

        log.WriteLine(full.ToString());
        AssertOneLineNamingThePath(full, disk);
        Assert.Empty(Sink.Messages);
        File.Delete(filler);
        await AssertTheNextRunSendsEveryoneOnceAsync();
    }
}
