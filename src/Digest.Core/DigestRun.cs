using Digest.Comparisons;
using Digest.Editions;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Digest.Dispatch;
using Digest.Ledger;
using Digest.Messages;
using Digest.Storage.LiteDb;
using Digest.Transport;

namespace Digest;

/// <summary>
/// One run of the digest, from the schedule or `send-now`:
/// select the edition → plan deliveries → render → send → record. An edition with readers still planned is
/// always finished before a new one is started; readers the server deferred are retried on their own backoff
/// and hold nothing back.
/// </summary>
public sealed class DigestRun(
    ComparisonImporter importer,
    EditionPlanner planner,
    EditionStore editions,
    DeliveryLedger ledger,
    OutcomeJournal journal,
    SuppressionList suppressions,
    SubscriberSource subscribers,
    MessageBuilder builder,
    DigestRenderer renderer,
    EditionDispatcher dispatcher,
    SenderLease lease,
    RelaySet relays,
    Archive.EditionArchive archive,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<DigestRun> log)
{
    /// <summary>Imports new or changed files of the import folder.</summary>
    public void ImportFolder() => importer.ImportFolder(options.Value.Import.Path);

    /// <param name="resumeOnly">Only finish an unfinished edition (the local-time tick); never start a new one.</param>
    /// <param name="retryDeferredNow">Retry deferred readers now rather than when their backoff ends (`send-now`).</param>
    /// <param name="allowEmpty">Plan a new edition even when the subscriber list is empty or shrank past Digest:Subscribers:MaxShrink.</param>
    public async Task<RunOutcome> SendAsync(DispatchCounters? counters, CancellationToken stopping, bool resumeOnly = false, bool retryDeferredNow = false, bool allowEmpty = false)
    {
        ImportFolder();
        using var held = lease.TryAcquire(out var holder) ?? throw new SenderBusyException(holder!);
        // A run that crashed may have journaled outcomes the ledger has not seen: they count before anything is sent.
        if (journal.Replay(ledger) is > 0 and var recovered)
            log.LogWarning("Recovered {Count} delivery outcomes from the journal of a run that did not finish", recovered);

        var (edition, retrying) = OpenEditions();
        var earlier = new List<RunOutcome>();
        // Editions whose only undelivered readers are deferred hold nothing back: their readers are retried
        // when their backoff ends, whatever edition is current.
        foreach (var open in retrying)
        {
            if (ledger.Due(open.Number, clock.GetUtcNow().UtcDateTime, retryDeferredNow) == 0)
            {
                Complete(open);
                continue;
            }
            relays.EnsureCanFinish(open);
            var outcome = await DispatchAsync(open, new DispatchCounters(), held, resuming: true, retryDeferredNow, stopping);
            if (outcome.Report is { Fatal: not null } or { Stopped: true }) return outcome with { Earlier = earlier };
            earlier.Add(outcome);
        }

        var resuming = edition is not null;
        if (edition is not null) relays.EnsureCanFinish(edition);
        if (edition is null)
        {
            if (resumeOnly || (edition = planner.Draft()) is null)
                return earlier.Count > 0 ? earlier[^1] with { Earlier = earlier[..^1] } : RunOutcome.NothingNew;
            var list = subscribers.Current();
            var suppressed = suppressions.Addresses();
            CheckListSize(edition, list, suppressed, allowEmpty);
            relays.Stamp(edition);
            var planned = ledger.Plan(edition, DeliveryPlan.For(edition, list, suppressed, builder, options.Value.Schedule));
            log.LogInformation("Edition {Edition} planned: {Comparisons} comparisons ({Slugs}){LeftOut}, {Recipients} recipients via {Transport}",
                edition.Number, edition.Comparisons.Count, string.Join(", ", edition.Comparisons.Select(c => c.Slug)),
                edition.LeftOut > 0 ? $", {edition.LeftOut} more wait for a later edition (Digest:Edition:MaxComparisons)" : "",
                planned.GetValueOrDefault(DeliveryState.Planned), relays.Description);
        }
        return await DispatchAsync(edition, counters ?? new DispatchCounters(), held, resuming, retryDeferredNow, stopping) with { Earlier = earlier };
    }

    /// <summary>
    /// The editions not yet complete: the current one, which has readers still planned (due now or at their local
    /// morning) and must be finished before a new one starts, and the older ones that only retry deferred readers.
    /// </summary>
    public Edition? CurrentEdition() => OpenEditions().Current;

    private (Edition? Current, IReadOnlyList<Edition> Retrying) OpenEditions()
    {
        var open = editions.Open();
        var current = open.FirstOrDefault(e => ledger.Count(e.Number).Planned > 0);
        return (current, open.Where(e => e != current).ToList());
    }

    private void Complete(Edition edition)
    {
        if (edition.IsComplete || ledger.Count(edition.Number).Undelivered > 0) return;
        edition.CompletedAt = clock.GetUtcNow().UtcDateTime;
        editions.Save(edition);
        if (ledger.Fold(options.Value.Ledger.KeepEditions) is { Count: > 0 } folded)
            log.LogInformation("Editions {Editions}: per-reader delivery records folded into counts (Digest:Ledger:KeepEditions is {Keep})",
                string.Join(", ", folded), options.Value.Ledger.KeepEditions);
    }

    private async Task<RunOutcome> DispatchAsync(Edition edition, DispatchCounters counters, SenderLease.Handle held, bool resuming, bool retryDeferredNow, CancellationToken stopping)
    {
        // Before the first message goes, so the "view in browser" link works the moment a reader opens it; a
        // resumed edition (every minute while readers wait for their local morning) has its page already.
        if (!archive.IsWritten(edition)) await archive.WriteAsync(edition, stopping);

        var now = clock.GetUtcNow().UtcDateTime;
        var before = ledger.Count(edition.Number);
        if (resuming)
            log.LogInformation("Resuming edition {Edition}: {Left} of {Total} recipients still to send", edition.Number, before.Undelivered, before.Total);
        counters.Total = ledger.Due(edition.Number, now, retryDeferredNow);
        var started = clock.GetTimestamp();
        var report = await dispatcher.SendAsync(edition, counters, held, stopping, retryDeferredNow);
        if (report.LeaseLost) throw new SenderLeaseLostException(edition.Number);
        var counts = ledger.Count(edition.Number);
        var waiting = ledger.Waiting(edition.Number, clock.GetUtcNow().UtcDateTime);
        Complete(edition);
        var elapsed = clock.GetElapsedTime(started);
        log.LogInformation(
            "Edition {Edition}: {Sent} sent, {Deferred} deferred, {Bounced} bounced, {Skipped} skipped, {Failed} failed, {Left} left; {Count} this run in {Seconds:0.0}s via {Transport}",
            edition.Number, counts.Sent, counts.Deferred, counts.Bounced, counts.Skipped, counts.Failed, counts.Planned,
            counters.Done, elapsed.TotalSeconds, relays.Description);
        if (relays.Outbox is { } outbox && counters.Sent > 0)
            log.LogInformation("Edition {Edition}: messages written to {Folder}", edition.Number, Path.GetFullPath(OutboxTransport.EditionFolder(outbox.Folder, edition.Number)));
        foreach (var (zone, count, next) in waiting)
            log.LogInformation("Edition {Edition}: {Count} readers in {Zone} wait for their local morning, the first at {Due:u}", edition.Number, count, zone, next);
        return new RunOutcome(edition.Number, counts, report, waiting.Sum(w => w.Count));
    }

    /// <summary>Everything `send-now` would do up to the wire: select, plan, render and build each message; nothing is sent or stored.</summary>
    public async Task<DryRun?> DryRunAsync(CancellationToken cancellationToken, bool allowEmpty = false)
    {
        ImportFolder();
        var edition = OpenEditions().Current;
        var resuming = edition is not null;
        List<Digest.Ledger.DeliveryRecord> plan;
        if (edition is not null)
        {
            relays.EnsureCanFinish(edition);
            plan = [];
            await foreach (var d in ledger.PendingAsync(edition.Number).WithCancellation(cancellationToken)) plan.Add(d);
        }
        else
        {
            edition = planner.Draft();
            if (edition is null) return null;
            var list = subscribers.Current();
            var suppressed = suppressions.Addresses();
            CheckListSize(edition, list, suppressed, allowEmpty);
            plan = DeliveryPlan.For(edition, list, suppressed, builder, options.Value.Schedule).ToList();
        }
        long bytes = 0;
        var rendering = new EditionRendering(renderer, edition, options.Value.ListName, options.Value.Archive.UrlFor(edition.Number), postalAddress: options.Value.Sender.PostalAddress);
        foreach (var d in plan.Where(d => d.State is DeliveryState.Planned or DeliveryState.Deferred))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var message = await BuildAsync(rendering, d);
            using var counter = new MimeKit.IO.MeasuringStream();
            await message.WriteToAsync(counter, cancellationToken);
            bytes += counter.Length;
        }
        return new DryRun(edition, resuming, plan, bytes);
    }

    private void CheckListSize(Editions.Edition edition, IReadOnlyList<Subscriber> list, IReadOnlySet<string> suppressed, bool allowEmpty) =>
        ListShrinkGuard.Check(edition.Number, subscribers.Path, list.Count, list.Count(s => !suppressed.Contains(s.Key)),
            edition.Number > 1 ? ledger.Count(edition.Number - 1).Total : null, options.Value.Subscribers, allowEmpty);

    /// <summary>Renders one reader's message exactly as it would be sent.</summary>
    public async Task<MimeKit.MimeMessage> BuildAsync(Edition edition, Digest.Ledger.DeliveryRecord delivery) =>
        await BuildAsync(new EditionRendering(renderer, edition, options.Value.ListName, options.Value.Archive.UrlFor(edition.Number), postalAddress: options.Value.Sender.PostalAddress), delivery);

    private async Task<MimeKit.MimeMessage> BuildAsync(EditionRendering rendering, Digest.Ledger.DeliveryRecord delivery)
    {
        var rendered = await rendering.RenderAsync(builder.Reader(delivery.Email, delivery.Name), delivery.Categories);
        return builder.Build(rendering.Edition.Number, delivery, rendered);
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

public sealed record DryRun(Edition Edition, bool Resuming, IReadOnlyList<Digest.Ledger.DeliveryRecord> Plan, long Bytes);
