using Digest.Tests.Sink;
using Digest.Tests.Support;
using Xunit.Abstractions;

namespace Digest.Tests.Delivery;

/// <summary>Crashes and stops of a real worker process partway through an edition.</summary>
public sealed class CrashResumeTests(ITestOutputHelper log) : SinkTest
{
    private const int Readers = 3000;
    private const int Connections = 4;

    public override Task InitializeAsync()
    {
        Ws.Settings["Digest:Smtp:Connections"] = Connections.ToString();
        // These tests are about crashes and stops; under a loaded test run a short SMTP timeout would add
        // timeout retries (at-least-once by design) and blur what they count.
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:30";
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D5}@example.com", (string?)$"Reader {i}")).ToArray());
        Ws.WriteComparisons("c.json",
            Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"),
    Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z"));
        return Task.CompletedTask;
    }

    private async Task WaitForMessagesAsync(ChildWorker child, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Sink.Messages.Count < count && !child.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(child.HasExited, "the worker finished before it could be interrupted:\n" + child.Output);
    }

    [Fact]
    public async Task A_worker_killed_mid_edition_is_finished_by_the_next_run_with_duplicates_bounded_by_connections()
    {
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using (var first = ChildWorker.Start(Ws, "send-now"))
        {
            await WaitForMessagesAsync(first, Readers / 3);
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        var atKill = Sink.Messages.Count;

        Sink.DataDelay = TimeSpan.Zero;
        using var second = ChildWorker.Start(Ws, "send-now");
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(exit == 0, second.Output);
        Assert.Contains("Resuming edition 1", second.Output);
        var perReader = Sink.Messages.GroupBy(m => m.Recipients.Single()).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = perReader.Values.Sum(n => n - 1);
        log.WriteLine($"{Readers} readers, killed after {atKill} messages at the sink; {Sink.Messages.Count} messages in all, {duplicates} duplicates");
        Assert.Equal(Readers, perReader.Count);
        Assert.InRange(duplicates, 0, Connections);
        // A duplicate carries the same Message-ID, so a receiving server can fold it.
        foreach (var reader in perReader.Where(p => p.Value > 1).Select(p => p.Key))
            Assert.Single(Sink.To(reader).Select(m => m.Parse().MessageId).Distinct());
    }

    [Fact]
    public async Task Sigterm_during_a_send_finishes_the_messages_in_flight_records_them_and_exits_in_time()
    {
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var worker = ChildWorker.Start(Ws, "send-now");
        await WaitForMessagesAsync(worker, 300);

        var stopping = DateTime.UtcNow;
        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var took = DateTime.UtcNow - stopping;

        Assert.True(exit == 3, worker.Output);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        var status = await Ws.RunAsync("status");
        var sentInLedger = int.Parse(System.Text.RegularExpressions.Regex.Match(worker.Output, @"Edition 1: (\d+) sent").Groups[1].Value);
        Assert.Equal(Sink.Messages.Count, sentInLedger);
        Assert.Contains("unfinished", status.Output);

        var resumed = await Ws.RunAsync("send-now");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(Readers, Sink.Messages.Count);
        Assert.Equal(Readers, Sink.Messages.Select(m => m.Recipients.Single()).Distinct().Count());
    }

    [Fact]
    public async Task A_second_process_refuses_to_send_while_the_first_sends_and_admin_commands_keep_working()
    {
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var first = ChildWorker.Start(Ws, "send-now");
        await WaitForMessagesAsync(first, 100);

        using var second = ChildWorker.Start(Ws, "send-now");
        var secondExit = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var status = await Ws.RunAsync("status");

        Assert.True(secondExit == 4, second.Output);
        Assert.Contains("Another Digest process is sending from this store", second.Output);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("#1", status.Output);
        Sink.DataDelay = TimeSpan.Zero;
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(Readers, Sink.Messages.Count);
    }
}
