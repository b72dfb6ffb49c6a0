using Digest.Editions;
using Digest.Ledger;
using Digest.Tests.Support;
using Digest.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>
/// Sending starts before a long plan is written whole, so a run can stop (or crash) with the plan half written
/// and some of it sent: the next run finishes the plan and sends each reader once.
/// </summary>
public sealed class CutShortPlanTests() : SinkTest(
    Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"),
    Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z"))
{
    private const int Readers = 1000;

    [Fact]
    public async Task A_plan_cut_short_is_finished_by_the_next_send_now_and_nobody_gets_the_edition_twice()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D4}@example.com", (string?)$"Reader {i}")).ToArray());
        List<string> sentBefore;
        using (var services = Ws.Services())
        {
            // What a run does up to the moment it stops while the plan is written: the first part is stored and
            // sending has begun; here the first 100 readers were sent before the stop.
            var next = services.GetRequiredService<NextEdition>();
            next.ImportFolder();
            var edition = next.Draft()!;
            services.GetRequiredService<RelaySet>().Stamp(edition);
            var ledger = services.GetRequiredService<IDeliveryLedger>();
            using var stop = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => ledger.Plan(edition, next.Recipients(edition, allowEmpty: false), stop.Cancel, stop.Token));
            var stored = ledger.ForEdition(edition.Number);
            Assert.InRange(stored.Count, 1, Readers - 1);
            var sent = stored.Take(100).ToList();
            foreach (var d in sent) d.State = DeliveryState.Sent;
            ledger.Record(sent);
            sentBefore = sent.Select(d => d.Key).ToList();
        }

        using var run = ChildWorker.Start(Ws, "send-now");
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(exit == 0, run.Output);
        Assert.Contains("Edition 1: its plan was cut short by a run that stopped", run.Output);
        var recipients = Sink.Messages.Select(m => m.Recipients.Single().ToLowerInvariant()).ToList();
        Assert.Equal(Readers - sentBefore.Count, recipients.Count);
        Assert.Equal(recipients.Count, recipients.Distinct().Count());
        Assert.Empty(recipients.Intersect(sentBefore));
        // The ledger counts everyone: the readers sent before the stop and the rest.
        Assert.Contains($"Edition 1: {Readers} sent, 0 deferred, 0 bounced, 0 skipped, 0 failed, 0 left", run.Output);
    }
}
