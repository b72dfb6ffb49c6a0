using Digest.Archive;
using Digest.Dispatch;
using Digest.Editions;
using Digest.Ledger;
using Digest.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>
/// One run of the digest, from the schedule or `send-now`:
/// choose the edition (<see cref="NextEdition"/>) → plan deliveries → send → record. An edition with readers still
/// planned is always finished before a new one is started; readers the server deferred are retried on their own
/// backoff and hold nothing back. Where the store lets several workers send (<see cref="ISenderSlots.Shared"/>),
/// an edition is chosen and planned by one of them at a time (<see cref="ISenderSlot.Decide"/>): the first plans
/// it, the others find it planned and send their share of it.
/// </summary>
public sealed class DigestRun(
    NextEdition next,
    IEditionStore editions,
    IDeliveryLedger ledger,
    EditionDispatcher dispatcher,
    ISenderSlots slots,
    RelaySet relays,
    EditionArchive archive,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<DigestRun> log)
{
    /// <param name="resumeOnly">Only finish an unfinished edition (the local-time tick); never start a new one.</param>
    /// <param name="retryDeferredNow">Retry deferred readers now rather than when their backoff ends (`send-now`).</param>
    /// <param name="allowEmpty">Plan a new edition even when the subscriber list is empty or shrank past Digest:Subscribers:MaxShrink.</param>
    public async Task<RunOutcome> SendAsync(DispatchCounters? counters, CancellationToken stopping, bool resumeOnly = false, bool retryDeferredNow = false, bool allowEmpty = false)
    {
        // One run at a time in this process: the schedule and the join check never send side by side.
        await _oneAtATime.WaitAsync(stopping);
        try
        {
            return await SendOnceAsync(counters, stopping, resumeOnly, retryDeferredNow, allowEmpty);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>
    /// Joins the sending of an edition another worker started, when this process sends nothing now and the store
    /// is shared: sends this worker's share of the readers due. Null when there was nothing to join.
    /// </summary>
    public async Task<RunOutcome?> JoinAsync(CancellationToken stopping)
    {
        if (!slots.Shared || !await _oneAtATime.WaitAsync(0, stopping)) return null;
        try
        {
            if (next.Unfinished() is not { } edition || ledger.Due(edition.Number, clock.GetUtcNow().UtcDateTime) is not (> 0 and var due)) return null;
            log.LogInformation(EditionEvents.EditionJoined, "Joining edition {Edition}: {Due} readers are due and this worker sends nothing now", edition.Number, due);
            return await SendOnceAsync(null, stopping, resumeOnly: true, retryDeferredNow: false, allowEmpty: false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<RunOutcome> SendOnceAsync(DispatchCounters? counters, CancellationToken stopping, bool resumeOnly, bool retryDeferredNow, bool allowEmpty)
    {
        next.ImportFolder();
        using var held = slots.TryTake(out var holder) ?? throw new SenderBusyException(holder!);
        // A run that crashed may have journaled outcomes the ledger has not seen: they count before anything is sent.
        if (ledger.RecoverOutcomes() is > 0 and var recovered)
            log.LogWarning(EditionEvents.OutcomesRecovered, "Recovered {Count} delivery outcomes from the journal of a run that did not finish", recovered);

        var earlier = new List<RunOutcome>();
        // Editions whose only undelivered readers are deferred hold nothing back: their readers are retried
        // when their backoff ends, whatever edition is current.
        foreach (var open in next.Open().Retrying)
        {
            if (ledger.Due(open.Number, clock.GetUtcNow().UtcDateTime, retryDeferredNow) == 0)
            {
                Complete(open, held);
                continue;
            }
            relays.EnsureCanFinish(open);
            var outcome = await DispatchAsync(open, new DispatchCounters(), held, planning: null, retryDeferredNow, stopping);
            if (outcome.Report is { Fatal: not null } or { Stopped: true }) return outcome with { Earlier = earlier };
            earlier.Add(outcome);
        }

        Edition? edition;
        Task? planning = null;
        counters ??= new DispatchCounters();
        using (held.Decide())
        {
            // Asked again under the decision: another worker may have planned the edition meanwhile, and then this one joins it.
            edition = next.Open().Current;
            if (edition is not null) relays.EnsureCanFinish(edition);
            if (edition is { Planning: true })
            {
                if (ledger.IsBeingPlanned(edition.Number))
                {
                    // Another worker is writing the plan now: this one sends its share of what is stored, as it grows.
                    log.LogInformation(EditionEvents.PlanBeingWritten, "Edition {Edition}: another worker is writing its plan; this one sends its share of the readers planned so far", edition.Number);
                }
                else
                {
                    // Rare (a crash or a stop while the plan was written), so the plan is finished before anything is sent.
                    log.LogWarning(EditionEvents.PlanFinished, "Edition {Edition}: its plan was cut short by a run that stopped; the readers not yet in it are added now", edition.Number);
                    // Nothing added: the worker that was writing it finished it just now.
                    if (ledger.Plan(edition, next.Recipients(edition, allowEmpty: true), cancellationToken: stopping) is { Count: > 0 } added)
                        LogPlanned(edition, added);
                }
            }
            if (edition is null)
            {
                if (resumeOnly || (edition = next.Draft()) is null)
                    return earlier.Count > 0 ? earlier[^1] with { Earlier = earlier[..^1] } : RunOutcome.NothingNew;
                relays.Stamp(edition);
                planning = await StartPlanAsync(edition, next.Recipients(edition, allowEmpty), counters, stopping);
            }
        }
        return await DispatchAsync(edition, counters, held, planning, retryDeferredNow, stopping) with { Earlier = earlier };
    }

    /// <summary>
    /// Writes the edition's plan on a thread of its own and returns once readers may be sent (see
    /// <see cref="IDeliveryLedger.Plan"/>), with the task that ends when the plan is whole. The readers due now are
    /// counted into <paramref name="counters"/> as they are planned, so the count is right without reading them back.
    /// </summary>
    private async Task<Task> StartPlanAsync(Edition edition, IEnumerable<DeliveryRecord> recipients, DispatchCounters counters, CancellationToken stopping)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var sendable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counted = recipients.Select(d =>
        {
            if (d.State == DeliveryState.Planned && d.DueAt <= now) counters.Total++;
            return d;
        });
        var writing = Task.Run(() =>
        {
            var planned = ledger.Plan(edition, counted, () => sendable.TrySetResult(), stopping);
            LogPlanned(edition, planned);
        }, CancellationToken.None);
        // A plan that fails before any reader is stored fails the run here, as it did when planning came first.
        if (await Task.WhenAny(sendable.Task, writing) == writing) await writing;
        return writing;
    }

    private void LogPlanned(Edition edition, IReadOnlyDictionary<DeliveryState, int> planned) =>
        log.LogInformation(EditionEvents.EditionPlanned, "Edition {Edition} planned: {Comparisons} comparisons ({Slugs}){LeftOut}, {Recipients} recipients via {Transport}",
            edition.Number, edition.Comparisons.Count, string.Join(", ", edition.Comparisons.Select(c => c.Slug)),
            edition.LeftOut > 0 ? $", {edition.LeftOut} more wait for a later edition (Digest:Edition:MaxComparisons)" : "",
            planned.GetValueOrDefault(DeliveryState.Planned), relays.Description);

    /// <summary>Marks the edition complete and folds old ones, one worker at a time: two folds at once could count an edition's records after the other deleted them.</summary>
    /// <param name="counts">The edition's counts just read, when the caller has them.</param>
    private void Complete(Edition edition, ISenderSlot held, EditionCounts? counts = null)
    {
        if (edition.IsComplete || edition.Planning || counts is { Undelivered: > 0 }) return;
        using var deciding = held.Decide();
        // Counted again under the decision where other workers share the store; alone, the counts just read stand
        // (reading 100,000 records again costs half a second).
        if (counts is null || slots.Shared)
            if (ledger.Count(edition.Number).Undelivered > 0 || editions.Find(edition.Number) is { IsComplete: true }) return;
        edition.CompletedAt = clock.GetUtcNow().UtcDateTime;
        editions.Save(edition);
        if (ledger.Fold(options.Value.Ledger.KeepEditions) is { Count: > 0 } folded)
            log.LogInformation(EditionEvents.EditionsFolded, "Editions {Editions}: per-reader delivery records folded into counts (Digest:Ledger:KeepEditions is {Keep})",
                string.Join(", ", folded), options.Value.Ledger.KeepEditions);
    }

    /// <param name="planning">The plan being written while the edition is sent (a new edition), or null when the edition is resumed.</param>
    private async Task<RunOutcome> DispatchAsync(Edition edition, DispatchCounters counters, ISenderSlot held, Task? planning, bool retryDeferredNow, CancellationToken stopping)
    {
        // Before the first message goes, so the "view in browser" link works the moment a reader opens it; a
        // resumed edition (every minute while readers wait for their local morning) has its page already.
        // Decided too: two workers of one machine share the archive folder.
        using (held.Decide())
            if (!archive.IsWritten(edition)) await archive.WriteAsync(edition, stopping);

        if (planning is null)
        {
            // A new edition's readers are counted as they are planned; a resumed one's are read back.
            var before = ledger.Count(edition.Number);
            log.LogInformation(EditionEvents.EditionResumed, "Resuming edition {Edition}: {Left} of {Total} recipients still to send", edition.Number, before.Undelivered, before.Total);
            counters.Total = ledger.Due(edition.Number, clock.GetUtcNow().UtcDateTime, retryDeferredNow);
        }
        var started = clock.GetTimestamp();
        DispatchReport report;
        try
        {
            report = await dispatcher.SendAsync(edition, counters, held, stopping, retryDeferredNow, planning);
        }
        finally
        {
            // A dispatch that stopped early leaves the plan to finish (or to stop with the run) before anything is counted.
            if (planning is not null) await planning.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (report.LeaseLost) throw new SenderLeaseLostException(edition.Number);
        // A plan stopped with the run is finished by the next run; one that failed fails this run.
        if (planning is { IsFaulted: true } && !(stopping.IsCancellationRequested && planning.Exception!.InnerException is OperationCanceledException)) await planning;
        var counts = ledger.Count(edition.Number);
        // Only planned readers can be waiting for their local morning.
        var waiting = counts.Planned > 0 ? ledger.Waiting(edition.Number, clock.GetUtcNow().UtcDateTime) : [];
        Complete(edition, held, counts);
        var elapsed = clock.GetElapsedTime(started);
        log.LogInformation(
            EditionEvents.EditionRunSummary, "Edition {Edition}: {Sent} sent, {Deferred} deferred, {Bounced} bounced, {Skipped} skipped, {Failed} failed, {Left} left; {Count} this run in {Seconds:0.0}s via {Transport}",
            edition.Number, counts.Sent, counts.Deferred, counts.Bounced, counts.Skipped, counts.Failed, counts.Planned,
            counters.Done, elapsed.TotalSeconds, relays.Description);
        if (relays.Outbox is { } outbox && counters.Sent > 0)
            log.LogInformation(EditionEvents.OutboxWritten, "Edition {Edition}: messages written to {Folder}", edition.Number, Path.GetFullPath(OutboxTransport.EditionFolder(outbox.Folder, edition.Number)));
        foreach (var (zone, count, next) in waiting)
            log.LogInformation(EditionEvents.WaitingForLocalTime, "Edition {Edition}: {Count} readers in {Zone} wait for their local morning, the first at {Due:u}", edition.Number, count, zone, next);
        return new RunOutcome(edition.Number, counts, report, waiting.Sum(w => w.Count));
    }
}

public sealed record RunOutcome(int Edition, EditionCounts? Counts, DispatchReport? Report, int Waiting = 0)
{
    /// <summary>Older editions whose deferred readers this run retried before it came to <see cref="Edition"/>.</summary>
    public IReadOnlyList<RunOutcome> Earlier { get; init; } = [];

    public static readonly RunOutcome NothingNew = new(0, null, null);

    /// <summary>
    /// True when readers that were due are still waiting (deferred, or cut off by a stop or a refusing
    /// server); readers waiting for their local morning are not late.
    /// </summary>
    public bool Undelivered => Counts is { } c && c.Undelivered - Waiting > 0;
}
