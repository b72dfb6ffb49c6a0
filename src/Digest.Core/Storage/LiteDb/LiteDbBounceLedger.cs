using Digest.Bounces;
using Digest.Ledger;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Storage.LiteDb;

/// <summary>
/// Bounce reports in the LiteDB file. A report and the suppression it causes are written in one transaction
/// (LiteDB's transaction is the thread's, so the suppression's write joins it).
/// </summary>
public sealed class LiteDbBounceLedger(LiteDbStore store, LiteDbSuppressions suppressions, IOptions<DigestOptions> options, TimeProvider clock) : IBounceLedger
{
    /// <summary>Records the report and suppresses if it calls for it, in one transaction; a report seen before changes nothing.</summary>
    public BounceOutcome Record(string reportId, DeliveryReport report, DeliveryRecord delivery, DateTime receivedAt, bool verified = true) =>
        store.InTransaction(() =>
        {
            if (store.Bounces.FindById(reportId) is not null) return new BounceOutcome(true, false, 0);
            store.Bounces.Insert(new BounceRecord
            {
                Id = reportId,
                DeliveryId = delivery.Id,
                Edition = delivery.Edition,
                Email = delivery.Key,
                Kind = report.Kind,
                Status = report.Status,
                Detail = report.Detail,
                ReceivedAt = receivedAt,
                RecordedAt = clock.GetUtcNow().UtcDateTime,
                Unverified = !verified,
            });
            if (!verified) return new BounceOutcome(false, false, 0, Unverified: true);
            var what = $"edition {delivery.Edition}: {string.Join(' ', new[] { report.Status, report.Detail }.Where(p => !string.IsNullOrEmpty(p)))}";
            return report.Kind switch
            {
                ReportKind.HardBounce => new BounceOutcome(false, suppressions.Add(delivery.Key, SuppressionReason.HardBounce, what), 0),
                ReportKind.Complaint => new BounceOutcome(false, suppressions.Add(delivery.Key, SuppressionReason.Complaint, what), 0),
                _ => SoftBounce(delivery.Key, what),
            };
        });

    private BounceOutcome SoftBounce(string key, string what)
    {
        var streak = SoftStreak(key);
        var limit = options.Value.Bounces.SoftBounceLimit;
        var suppressed = streak >= limit
                         && suppressions.Add(key, SuppressionReason.SoftBounces, $"{streak} editions in a row bounced softly; last {what}");
        return new BounceOutcome(false, suppressed, streak);
    }

    /// <summary>
    /// How many editions sent to the address in a row, back from the newest one that bounced softly, bounced
    /// too. An edition that went out without a bounce ends the run. Counting back from the newest bounce
    /// (not the newest edition) keeps a bounce that arrives after the next edition went out from being lost.
    /// </summary>
    public int SoftStreak(string email)
    {
        var key = email.ToLowerInvariant();
        var bounced = store.Bounces.Find(b => b.Email == key).Where(b => b.Kind != ReportKind.Complaint && !b.Unverified).Select(b => b.Edition).ToHashSet();
        if (bounced.Count == 0) return 0;
        var newest = bounced.Max();
        var sent = store.Deliveries.Find(d => d.Key == key)
            .Where(d => d.State == DeliveryState.Sent && d.Edition <= newest)
            .Select(d => d.Edition)
            .OrderDescending();
        return sent.TakeWhile(bounced.Contains).Count();
    }

    public BounceCounts Count(int edition)
    {
        var records = store.Bounces.Find(b => b.Edition == edition).Where(b => !b.Unverified).ToList();
        int Distinct(ReportKind kind) => records.Where(r => r.Kind == kind).Select(r => r.Email).Distinct().Count();
        return new BounceCounts(Distinct(ReportKind.HardBounce), Distinct(ReportKind.SoftBounce), Distinct(ReportKind.Complaint));
    }

    public IReadOnlyList<BounceRecord> ForAddress(string email)
    {
        var key = email.ToLowerInvariant();
        return store.Bounces.Find(b => b.Email == key).OrderBy(b => b.Edition).ThenBy(b => b.ReceivedAt).ToList();
    }
}
