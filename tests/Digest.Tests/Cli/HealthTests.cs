using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>`digest health`, the container's HEALTHCHECK, against a real running worker.</summary>
[Collection(InProcessWorkers.Name)]
public sealed class HealthTests : WorkspaceTest
{
    public HealthTests()
    {
        Ws.Settings["Digest:Health:HeartbeatPath"] = HeartbeatPath;
        Ws.Settings["Digest:Health:HeartbeatInterval"] = "00:00:01";
    }

    private string HeartbeatPath => Path.Combine(Ws.Root, "data", "heartbeat");

    [Fact]
    public async Task Health_exits_0_while_the_worker_runs_and_1_once_its_heartbeat_is_stale()
    {
        using var stop = new CancellationTokenSource();
        var log = new StringWriter();
        var worker = Worker.Cli.DigestCli.RunAsync(["run"], log, log, Ws.Settings, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!File.Exists(HeartbeatPath) && DateTime.UtcNow < deadline && !worker.IsCompleted) await Task.Delay(100);

        var alive = await Ws.RunAsync("health");
        stop.Cancel();
        Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromSeconds(15)));
        File.SetLastWriteTimeUtc(HeartbeatPath, DateTime.UtcNow.AddSeconds(-10));
        var stale = await Ws.RunAsync("health");

        Assert.True(alive.ExitCode == 0, $"{alive}\n--- worker\n{log}");
        Assert.StartsWith("healthy: heartbeat", alive.Output);
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("unhealthy: the last heartbeat is 10s old (limit 3s)", stale.Error);
    }

    [Fact]
    public async Task Health_exits_1_naming_the_file_when_no_worker_has_run()
    {
        var result = await Ws.RunAsync("health");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"unhealthy: no heartbeat at {HeartbeatPath}", result.Error);
    }

    [Fact]
    public async Task Health_passes_as_soon_as_the_worker_has_started_not_one_interval_later()
    {
        // An interval longer than the test: only a heartbeat written at start can make health pass.
        Ws.Settings["Digest:Health:HeartbeatInterval"] = "00:10:00";
        using var stop = new CancellationTokenSource();
        var log = new StringWriter();
        var worker = Worker.Cli.DigestCli.RunAsync(["run"], log, log, Ws.Settings, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(HeartbeatPath) && DateTime.UtcNow < deadline && !worker.IsCompleted) await Task.Delay(100);

        var alive = await Ws.RunAsync("health");
        stop.Cancel();
        Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.True(alive.ExitCode == 0, $"{alive}\n--- worker\n{log}");
    }
}
