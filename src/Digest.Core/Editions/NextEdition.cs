using Digest.Comparisons;
using Digest.Ledger;
using Digest.Messages;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// The one decision of what goes out next, for `run`, `send-now`, its dry run, `preview` and catch-up: the edition
/// that still has readers planned is finished first; only when there is none is the next one drafted from the
/// comparisons waiting (after the import folder was read). Editions whose only undelivered readers are deferred
/// hold nothing back: they are retried on their own backoff.
/// </summary>
public sealed class NextEdition(
    ComparisonImporter importer,
    EditionPlanner planner,
    IEditionStore editions,
    IDeliveryLedger ledger,
    SubscriberSource subscribers,
    ISuppressions suppressions,
    MessageBuilder builder,
    IOptions<DigestOptions> options)
{
    /// <summary>Imports new or changed files of the import folder.</summary>
    public void ImportFolder() => importer.ImportFolder(options.Value.Import.Path);

    /// <summary>
    /// The editions not yet complete: the current one, which has readers still planned (due now or at their local
    /// morning) or its plan still to finish, and must be finished before a new one starts, and the older ones that only retry deferred readers.
    /// </summary>
    public OpenEditions Open()
    {
        var open = editions.Open();
        var current = open.FirstOrDefault(e => e.Planning || ledger.AnyPlanned(e.Number));
        return new OpenEditions(current, open.Where(e => e != current).ToList());
    }

    /// <summary>The edition a run would finish before anything new, or null.</summary>
    public Edition? Unfinished() => Open().Current;

    /// <summary>The unfinished edition, else the next one drafted (not stored); null when neither exists.</summary>
    public Edition? ResumeOrDraft() => Unfinished() ?? planner.Draft();

    /// <summary>The next edition drafted from the comparisons waiting, not stored; null when none is waiting.</summary>
    public Edition? Draft() => planner.Draft();

    /// <summary>
    /// Who gets a drafted edition, lazily: one delivery per subscriber, skipped where suppressed. Refuses (throws
    /// <see cref="SubscriberListShrankException"/>) a list that is empty or shrank past Digest:Subscribers:MaxShrink
    /// unless <paramref name="allowEmpty"/>.
    /// </summary>
    public IEnumerable<DeliveryRecord> Recipients(Edition drafted, bool allowEmpty)
    {
        var list = subscribers.InPlanOrder();
        var suppressed = suppressions.Addresses();
        ListShrinkGuard.Check(drafted.Number, subscribers.Path, list.Count, list.Count(s => !suppressed.Contains(s.Key)),
            drafted.Number > 1 ? ledger.Count(drafted.Number - 1).Total : null, options.Value.Subscribers, allowEmpty);
        return DeliveryPlan.For(drafted, list, suppressed, builder, options.Value.Schedule);
    }
}

/// <param name="Current">The edition with readers still planned, or null.</param>
/// <param name="Retrying">The other incomplete editions, oldest first: they only retry deferred readers.</param>
public sealed record OpenEditions(Edition? Current, IReadOnlyList<Edition> Retrying);
