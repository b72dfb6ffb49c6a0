using System.Globalization;
using System.Text.Json;
using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>The worker's log as a log collector reads it: a real `digest run` child process, stopped by SIGTERM.</summary>
public sealed class WorkerLogTests : WorkspaceTest
{
    [Fact]
    public async Task The_worker_logs_one_line_when_it_stops()
    {
        using var worker = ChildWorker.Start(Ws, "run");
        await WaitForAsync(worker, "Worker started");

        worker.Terminate();

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Single(worker.Output.Split('\n'), l => l.Contains("Worker stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_log_lines_carry_a_UTC_timestamp_and_the_lifecycle_lines_an_event_id()
    {
        Ws.Settings["Digest:LogFormat"] = "json";
        using var worker = ChildWorker.Start(Ws, "run");
        await WaitForAsync(worker, "Worker started");
        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var lines = worker.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, l =>
        {
            var stamp = l.GetProperty("Timestamp").GetString()!;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", stamp);
            var at = DateTime.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.InRange(at, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        });
        Assert.Equal(1000, lines.Single(l => l.GetProperty("Message").GetString()!.StartsWith("Worker started")).GetProperty("EventId").GetInt32());
        Assert.Equal(1001, lines.Single(l => l.GetProperty("Message").GetString() == "Worker stopped").GetProperty("EventId").GetInt32());
    }

    /// <summary>Waits for the line, not for a time: start-up takes longer on a loaded machine.</summary>
    private static async Task WaitForAsync(ChildWorker worker, string fragment)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!worker.Output.Contains(fragment, StringComparison.Ordinal))
        {
            if (worker.HasExited || DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"No \"{fragment}\" from the worker:\n{worker.Output}");
            await Task.Delay(100);
        }
    }
}
