using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Scheduling;

[Collection(WorkerCollection.Name)]
public sealed class ScheduleTests
{
    [Fact]
    public async Task The_worker_runs_the_digest_when_its_trigger_fires_and_stops_cleanly()
    {
        await using var sink = new SmtpSink();
        using var ws = new TestWorkspace(sink);
        ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        // Every second, so the test sees a real Quartz trigger fire.
        ws.Settings["Digest:Schedule:Cron"] = "* * * * * ?";
        using var stop = new CancellationTokenSource();

        var output = new StringWriter();
        var worker = Worker.Cli.DigestCli.RunAsync(["run"], output, output, ws.Settings, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (sink.Messages.Count < 3 && DateTime.UtcNow < deadline && !worker.IsCompleted) await Task.Delay(100);
        var received = sink.Messages.Count;

        // Later fires find nothing new: still one message per reader.
        await Task.Delay(1500);
        Assert.Equal(3, received);
        Assert.Equal(3, sink.Messages.Count);
        Assert.False(worker.IsCompleted, output.ToString());
        stop.Cancel();
        Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromSeconds(15)));
    }
}
