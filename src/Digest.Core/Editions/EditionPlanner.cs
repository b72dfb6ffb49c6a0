using Digest.Comparisons;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// Chooses what goes into this week's edition: the newest comparisons that have not been in an edition yet,
/// published at or before now (and within Digest:Edition:MaxAge when set), up to Digest:Edition:MaxComparisons.
/// </summary>
public sealed class EditionPlanner(
    IComparisonStore comparisons,
    IEditionStore editions,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<EditionPlanner> log)
{
    /// <summary>The next edition as it would be made now, without storing it; null when no comparison is waiting.</summary>
    public Edition? Draft()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var previous = editions.Latest();
        var queue = Queue(now);
        if (queue.Next.Count == 0)
        {
            log.LogInformation(EditionEvents.NothingToSend, "No comparisons waiting for an edition (published by {Now:u}, not in an earlier edition{Stale}): no edition",
                now, queue.Stale > 0 ? $"; {queue.Stale} older than Digest:Edition:MaxAge" : "");
            return null;
        }
        return new Edition
        {
            Number = (previous?.Number ?? 0) + 1,
            PreviousCutOff = previous?.CutOff,
            CutOff = now,
            CreatedAt = now,
            Comparisons = queue.Next.ToList(),
            LeftOut = queue.Waiting - queue.Next.Count,
        };
    }

    /// <summary>What the next edition would hold if it were made now, and how many more wait behind it.</summary>
    public ComparisonQueue Queue() => Queue(clock.GetUtcNow().UtcDateTime);

    private ComparisonQueue Queue(DateTime now)
    {
        comparisons.MarkEarlierEditions();
        var notBefore = options.Value.Edition.MaxAge is { } maxAge ? now - maxAge : DateTime.MinValue;
        var cap = options.Value.Edition.MaxComparisons;
        var next = comparisons.Waiting(now, notBefore, cap);
        var waiting = next.Count < cap ? next.Count : comparisons.CountWaiting(now, notBefore);
        var stale = options.Value.Edition.MaxAge is null ? 0 : comparisons.CountStale(notBefore);
        return new ComparisonQueue(next, waiting, stale);
    }
}

/// <param name="Next">What the next edition would hold, newest first.</param>
/// <param name="Waiting">All comparisons waiting for an edition, the next one's included.</param>
/// <param name="Stale">Not yet sent but older than Digest:Edition:MaxAge: they will not go out.</param>
public sealed record ComparisonQueue(IReadOnlyList<Comparison> Next, int Waiting, int Stale);
