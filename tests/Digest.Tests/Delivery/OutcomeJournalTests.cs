using Digest.Editions;
using Digest.Ledger;
using Digest.Storage.LiteDb;
using Digest.Tests.Support;
using Digest.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>The outcome journal a crashed run leaves, and the ledger's reading of pending deliveries.</summary>
public sealed class OutcomeJournalTests : SinkTest
{
    private const int Readers = 1500;

    private void UseRelayWithSpaces()
    {
        Ws.Settings["Digest:Relays:0:Name"] = "eu west";
        Ws.Settings["Digest:Relays:0:Host"] = "127.0.0.1";
        Ws.Settings["Digest:Relays:0:Port"] = Sink.Port.ToString();
        Ws.Settings["Digest:Relays:0:Security"] = "None";
        Ws.Settings["Digest:Relays:0:Connections"] = "4";
        Ws.Settings["Digest:Relays:0:Timeout"] = "00:00:30";
        Ws.Settings["Digest:Relays:0:CostPerThousand"] = "1000";
    }

    [Fact]
    public void A_relay_name_with_spaces_comes_back_from_the_journal_as_it_was_written()
    {
        var journal = new OutcomeJournal(Path.Combine(Ws.Root, "digest.db"));
        using (var writer = journal.Open())
        {
            writer.Append(new Digest.Ledger.DeliveryRecord { Id = 7, State = DeliveryState.Sent, Relay = "eu west 2 (50%_off)" });
            writer.Flush();
        }

        var (id, state, relay) = Assert.Single(journal.Read());

        Assert.Equal((7L, DeliveryState.Sent, "eu west 2 (50%_off)"), (id, state, relay));
    }

    [Fact]
    public async Task After_a_crash_status_shows_every_message_and_its_cost_under_a_relay_name_with_spaces()
    {
        UseRelayWithSpaces();
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D4}@example.com", (string?)null)).ToArray());
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using (var first = ChildWorker.Start(Ws, "send-now"))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Sink.Messages.Count < Readers / 2 && !first.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.False(first.HasExited, first.Output);
            // Killed between two ledger writes: its last outcomes are only in the journal.
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        Sink.DataDelay = TimeSpan.Zero;
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);

        var status = await Ws.RunAsync("status");

        var sent = Sink.Messages.Select(m => m.Recipients.Single()).Distinct().Count();
        Assert.Equal(Readers, sent);
        Assert.Contains($"Edition #1 sent via: eu west {Readers} ({Readers:0}.00); cost {Readers:0}.00", status.Output);
    }

    [Fact]
    public async Task Cancelling_the_reading_of_pending_deliveries_stops_it()
    {
        using var services = Ws.Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var edition = new Edition { Number = 1, CutOff = DateTime.UtcNow, CreatedAt = DateTime.UtcNow };
        ledger.Plan(edition, Enumerable.Range(0, 10).Select(i => new Digest.Ledger.DeliveryRecord
        {
            Id = Digest.Ledger.DeliveryRecord.IdFor(1, i), Edition = 1, Email = $"r{i}@example.com", Key = $"r{i}@example.com", MessageId = $"<{i}@x>",
        }));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ledger.PendingAsync(1).WithCancellation(cancelled.Token)) read++;
        });
        Assert.Equal(0, read);
    }
}
