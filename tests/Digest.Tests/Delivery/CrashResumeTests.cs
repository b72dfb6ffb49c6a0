using Digest.Tests.Sink;
using Digest.Tests.Support;
using Xunit.Abstractions;

namespace Digest.Tests.Delivery;

/// <summary>Crashes and stops of a real worker process partway through an edition.</summary>
public sealed class CrashResumeTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const int Readers = 3000;
    private const int Connections = 4;
    private readonly SmtpSink _sink = new();
    private TestWorkspace _ws = null!;

    public Task InitializeAsync()
    {
        _ws = new TestWorkspace(_sink);
        _ws.Settings["Digest:Smtp:Connections"] = Connections.ToString();
        _ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D5}@example.com", (string?)$"Reader {i}")).ToArray());
        _ws.WriteComparisons("c.json",
            Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"),
            Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        _ws.Dispose();
    }

    private async Task WaitForMessagesAsync(ChildWorker child, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_sink.Messages.Count < count && !child.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(child.HasExited, "the worker finished before it could be interrupted:\n" + child.Output);
    }

    [Fact]
    public async Task A_worker_killed_mid_edition_is_finished_by_the_next_run_with_duplicates_bounded_by_connections()
    {
        _sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using (var first = ChildWorker.Start(_ws, "send-now"))
        {
            await WaitForMessagesAsync(first, Readers / 3);
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        var atKill = _sink.Messages.Count;

        _sink.DataDelay = TimeSpan.Zero;
        using var second = ChildWorker.Start(_ws, "send-now");
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(exit == 0, second.Output);
        Assert.Contains("Resuming edition 1", second.Output);
        var perReader = _sink.Messages.GroupBy(m => m.Recipients.Single()).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = perReader.Values.Sum(n => n - 1);
        log.WriteLine($"{Readers} readers, killed after {atKill} messages at the sink; {_sink.Messages.Count} messages in all, {duplicates} duplicates");
        Assert.Equal(Readers, perReader.Count);
        Assert.InRange(duplicates, 0, Connections);
        // A duplicate carries the same Message-ID, so a receiving server can fold it.
        foreach (var reader in perReader.Where(p => p.Value > 1).Select(p => p.Key))
            Assert.Single(_sink.To(reader).Select(m => m.Parse().MessageId).Distinct());
    }

    [Fact]
    public async Task Sigterm_during_a_send_finishes_the_messages_in_flight_records_them_and_exits_in_time()
    {
        _sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var worker = ChildWorker.Start(_ws, "send-now");
        await WaitForMessagesAsync(worker, 300);

        var stopping = DateTime.UtcNow;
        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var took = DateTime.UtcNow - stopping;

        Assert.True(exit == 3, worker.Output);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        var status = await _ws.RunAsync("status");
        var sentInLedger = int.Parse(System.Text.RegularExpressions.Regex.Match(worker.Output, @"Edition 1: (\d+) sent").Groups[1].Value);
        Assert.Equal(_sink.Messages.Count, sentInLedger);
        Assert.Contains("unfinished", status.Output);

        var resumed = await _ws.RunAsync("send-now");
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(Readers, _sink.Messages.Count);
        Assert.Equal(Readers, _sink.Messages.Select(m => m.Recipients.Single()).Distinct().Count());
    }

    [Fact]
    public async Task A_second_process_refuses_to_send_while_the_first_sends_and_admin_commands_keep_working()
    {
        _sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var first = ChildWorker.Start(_ws, "send-now");
        await WaitForMessagesAsync(first, 100);

        using var second = ChildWorker.Start(_ws, "send-now");
        var secondExit = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var status = await _ws.RunAsync("status");

        Assert.True(secondExit == 4, second.Output);
        Assert.Contains("Another Digest process is sending from this store", second.Output);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("#1", status.Output);
        _sink.DataDelay = TimeSpan.Zero;
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(Readers, _sink.Messages.Count);
    }
}
