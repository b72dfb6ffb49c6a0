using Digest.Scheduling;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Scheduling;

[Collection(InProcessWorkers.Name)]
public sealed class CatchUpTests : SinkTest
{
    public override Task InitializeAsync()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", DateTime.UtcNow.AddDays(-1).ToString("O")));
        // Daily at 00:00 UTC: the latest scheduled run is always earlier today, never during the test.
        Ws.Settings["Digest:Schedule:Cron"] = "0 0 0 * * ?";
        return Task.CompletedTask;
    }

    private void ScheduleLastFiredAt(DateTime at)
    {
        using var services = Ws.Services();
        services.GetRequiredService<IScheduleRecord>().Fired(new DateTimeOffset(at, TimeSpan.Zero));
    }

    private async Task<int> RunWorkerForAsync(TimeSpan time)
    {
        using var stop = new CancellationTokenSource(time);
        var output = new StringWriter();
        return await Worker.Cli.DigestCli.RunAsync(["run"], output, output, Ws.Settings, stop.Token);
    }

    [Fact]
    public async Task A_worker_that_was_down_when_the_schedule_fired_sends_the_missed_edition_once_at_start()
    {
        // The worker last ran its schedule a few days ago (several missed runs).
        ScheduleLastFiredAt(DateTime.UtcNow.AddDays(-4));

        Assert.Equal(0, await RunWorkerForAsync(TimeSpan.FromSeconds(4)));
        Assert.Equal(0, await RunWorkerForAsync(TimeSpan.FromSeconds(2)));

        Assert.Equal(3, Sink.Messages.Count);
        Assert.Equal(3, Sink.Messages.Select(m => m.Recipients.Single()).Distinct().Count());
        Assert.Contains("#1", (await Ws.RunAsync("status")).Output);
        Assert.DoesNotContain("#2", (await Ws.RunAsync("status")).Output);
    }

    [Fact]
    public async Task A_worker_starting_on_a_new_store_waits_for_its_schedule()
    {
        Assert.Equal(0, await RunWorkerForAsync(TimeSpan.FromSeconds(3)));

        Assert.Empty(Sink.Messages);
    }
}
