using Digest.Bounces;
using Digest.Ledger;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="IBounceLedger"/> does.</summary>
public abstract class BounceLedgerContract : StoreContract
{
    private static DeliveryReport Report(ReportKind kind, string status = "5.1.1") => new(kind, status, null, "no such user", [], null);

    /// <summary>Editions 1..n sent to <paramref name="email"/>; returns each edition's delivery.</summary>
    private List<DeliveryRecord> Sent(ServiceProvider services, string email, int editions)
    {
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        for (var n = 1; n <= editions; n++) ledger.Plan(Edition(n), [Reader(n, 0, email, DeliveryState.Sent)]);
        return Enumerable.Range(1, editions).Select(n => ledger.Find(n, email)!).ToList();
    }

    [SkippableFact]
    public void A_hard_bounce_suppresses_at_once_and_a_report_read_twice_is_recorded_once()
    {
        using var services = Services();
        var bounces = services.GetRequiredService<IBounceLedger>();
        var delivery = Sent(services, "ada@example.com", 1)[0];

        var first = bounces.Record("report-1", Report(ReportKind.HardBounce), delivery, Now);
        var again = bounces.Record("report-1", Report(ReportKind.HardBounce), delivery, Now);

        Assert.Equal(new BounceOutcome(false, true, 0), first);
        Assert.True(again.Duplicate);
        Assert.Equal(SuppressionReason.HardBounce, services.GetRequiredService<ISuppressions>().All().Single().Reason);
        Assert.Equal(new BounceCounts(1, 0, 0), bounces.Count(1));
        Assert.Single(bounces.ForAddress("ADA@example.com"));
    }

    [SkippableFact]
    public void An_unverified_report_is_kept_but_neither_suppresses_nor_counts()
    {
        using var services = Services();
        var bounces = services.GetRequiredService<IBounceLedger>();
        var delivery = Sent(services, "ada@example.com", 1)[0];

        var outcome = bounces.Record("forged", Report(ReportKind.Complaint), delivery, Now, verified: false);

        Assert.True(outcome.Unverified);
        Assert.False(services.GetRequiredService<ISuppressions>().Contains("ada@example.com"));
        Assert.Equal(new BounceCounts(0, 0, 0), bounces.Count(1));
        Assert.True(Assert.Single(bounces.ForAddress("ada@example.com")).Unverified);
    }

    [SkippableFact]
    public void Soft_bounces_suppress_after_the_limit_of_editions_in_a_row()
    {
        using var services = Services();
        var bounces = services.GetRequiredService<IBounceLedger>();
        var deliveries = Sent(services, "ada@example.com", 3);

        var outcomes = deliveries.Select((d, i) => bounces.Record($"soft-{i}", Report(ReportKind.SoftBounce, "4.2.2"), d, Now)).ToList();

        Assert.Equal([1, 2, 3], outcomes.Select(o => o.SoftStreak));
        Assert.Equal([false, false, true], outcomes.Select(o => o.Suppressed));
        Assert.Equal(3, bounces.SoftStreak("ada@example.com"));
        Assert.Equal(SuppressionReason.SoftBounces, services.GetRequiredService<ISuppressions>().All().Single().Reason);
    }
}
