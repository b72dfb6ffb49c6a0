using Digest.Dispatch;
using Digest.Editions;
using Digest.Ledger;
using Digest.Transport;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Digest.Tests.Delivery;

/// <summary>A sender frozen (SIGSTOP) past its lease, while another process takes the lease over and sends.</summary>
public sealed class LeaseFencingTests(ITestOutputHelper log) : SinkTest
{
    private const int Readers = 3000;
    private const int Connections = 4;

    public override Task InitializeAsync()
    {
        Ws.Settings["Digest:Smtp:Connections"] = Connections.ToString();
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:30";
        // The shortest lease the settings allow, so the test waits seconds rather than the default minute.
        Ws.Settings["Digest:Delivery:LeaseDuration"] = "00:00:05";
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D5}@example.com", (string?)$"Reader {i}")).ToArray());
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_sender_paused_past_its_lease_stops_on_resuming_while_the_sender_that_took_over_finishes_the_edition()
    {
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var first = ChildWorker.Start(Ws, "send-now");
        await WaitForAsync(() => Sink.Messages.Count >= 300 || first.HasExited);
        Assert.False(first.HasExited, first.Output);

        var expiresAt = await PauseOutsideTheStoreAsync(first);
        // The lease runs out while the first sender is frozen; then a second sender may take it over.
        var wait = expiresAt - DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var atTakeOver = Sink.Messages.Count;
        using var second = ChildWorker.Start(Ws, "send-now");
        await WaitForAsync(() => Sink.Messages.Count >= atTakeOver + 200 || second.HasExited);
        Assert.False(second.HasExited, second.Output);

        first.Resume();
        var firstExit = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var secondExit = await second.WaitForExitAsync(TimeSpan.FromSeconds(120));

        var perReader = Sink.Messages.GroupBy(m => m.Recipients.Single()).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = perReader.Values.Sum(n => n - 1);
        log.WriteLine($"paused after {atTakeOver} messages; {Sink.Messages.Count} messages in all, {duplicates} duplicates");
        Assert.True(firstExit == 4, first.Output);
        Assert.Contains("took over the sender lease", first.Output);
        Assert.True(secondExit == 0, second.Output);
        Assert.Contains("Took over the sender lease", second.Output);
        Assert.Equal(Readers, perReader.Count);
        // Only the messages in flight when the first sender froze can have gone twice: one per connection.
        Assert.InRange(duplicates, 0, Connections);
    }

    [Fact]
    public async Task A_message_held_back_for_the_previous_outcome_is_not_accepted_once_the_lease_is_lost_meanwhile()
    {
        Ws.Settings["Digest:Smtp:Connections"] = "1";
        Ws.WriteSubscribers(("first@example.com", null), ("second@example.com", null), ("third@example.com", null));
        using var services = Ws.Services();
        var next = services.GetRequiredService<NextEdition>();
        next.ImportFolder();
        var edition = next.Draft()!;
        services.GetRequiredService<RelaySet>().Stamp(edition);
        services.GetRequiredService<IDeliveryLedger>().Plan(edition, next.Recipients(edition, allowEmpty: false));
        var lease = new ScriptedLease();
        // The sender asked for the lease before the second message and was told it held it; by the time the
        // server reads that message's recipient (its end still held back for the first outcome) another process
        // has taken the lease over, as when the sender froze between the two and resumed past its lease.
        Sink.OnRecipient = recipient => { if (recipient == "second@example.com") lease.IsHeld = false; };

        var report = await services.GetRequiredService<EditionDispatcher>().SendAsync(edition, new DispatchCounters(), lease, CancellationToken.None);

        Assert.True(report.LeaseLost);
        Assert.Equal(["first@example.com"], Sink.Messages.SelectMany(m => m.Recipients));
    }

    private sealed class ScriptedLease : IHeldLease
    {
        private volatile bool _held = true;
        public long Token => 1;
        public bool IsHeld { get => _held; set => _held = value; }
    }

    /// <summary>
    /// Freezes the sender where it holds no lock on the store (a sender frozen inside a store operation would
    /// hold LiteDB's shared-mode mutex and block every process); returns when its lease expires.
    /// </summary>
    private async Task<DateTime> PauseOutsideTheStoreAsync(ChildWorker sender)
    {
        for (var attempt = 0; ; attempt++)
        {
            sender.Pause();
            var read = Task.Run(ReadLeaseExpiry);
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(3))) == read) return await read;
            Assert.True(attempt < 10, "the sender was frozen inside the store every time");
            sender.Resume();
            await read;
        }
    }

    private DateTime ReadLeaseExpiry()
    {
        using var services = Ws.Services();
        return services.GetRequiredService<ISenderLeaseStore>().Current()!.ExpiresAt;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
