using Digest.Ledger;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>A reader the server keeps deferring is retried on a backoff of its own and does not hold back the list.</summary>
public sealed class DeferredReaderTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_reader_deferred_forever_does_not_hold_back_the_next_edition()
    {
        Sink.SoftReject("grace@example.com", 1000);
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        var first = await Ws.RunAsync("send-now");
        Ws.WriteComparisons("next.json", Samples.Comparison("next-week", DateTime.UtcNow.ToString("O")));
        var second = await Ws.RunAsync("send-now");

        Assert.Equal(3, first.ExitCode);
        Assert.Contains("Edition 1: 2 sent, 1 deferred", first.Output);
        Assert.Contains("Edition 2: 2 sent, 1 deferred", second.Output);
        Assert.Equal(2, Sink.To("ada@example.com").Count);
        Assert.Equal(2, Sink.To("alan@example.com").Count);
    }

    [Fact]
    public async Task A_deferred_reader_is_retried_on_its_backoff_and_given_up_after_GiveUpAfter()
    {
        Sink.SoftReject("grace@example.com", 1000);
        Ws.Settings["Digest:Delivery:Retries"] = "0";
        Ws.Settings["Digest:Delivery:GiveUpAfter"] = "1.00:00:00";
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        var run = services.GetRequiredService<DigestRun>();
        var ledger = services.GetRequiredService<IDeliveryLedger>();

        await run.SendAsync(null, CancellationToken.None);
        var deferred = ledger.Find(1, "grace@example.com")!;
        Assert.Equal(DeliveryState.Deferred, deferred.State);
        Assert.True(deferred.DueAt > clock.GetUtcNow().UtcDateTime, "a deferred reader waits for its backoff");

        // Not due yet: the tick leaves it alone.
        await run.SendAsync(null, CancellationToken.None, resumeOnly: true);
        Assert.Equal(1, ledger.Find(1, "grace@example.com")!.Attempts);

        clock.Advance(TimeSpan.FromHours(2));
        await run.SendAsync(null, CancellationToken.None, resumeOnly: true);
        Assert.Equal(2, ledger.Find(1, "grace@example.com")!.Attempts);
        Assert.Equal(DeliveryState.Deferred, ledger.Find(1, "grace@example.com")!.State);

        clock.Advance(TimeSpan.FromDays(1));
        var last = await run.SendAsync(null, CancellationToken.None, resumeOnly: true);
        Assert.Equal(DeliveryState.Failed, ledger.Find(1, "grace@example.com")!.State);
        Assert.Equal(1, last.Counts!.Failed);
        Assert.NotNull(services.GetRequiredService<Digest.Editions.IEditionStore>().Find(1)!.CompletedAt);
    }
}
