using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="IDeliveryLedger"/> does, whatever store is behind it.</summary>
public abstract class DeliveryLedgerContract : StoreContract
{
    private async Task<List<DeliveryRecord>> PendingAsync(IDeliveryLedger ledger, int edition, DateTime? dueBy = null, int pageSize = 1000, bool deferredNow = false,
        IHeldLease? claimant = null)
    {
        var pending = new List<DeliveryRecord>();
        await foreach (var d in ledger.PendingAsync(edition, dueBy, pageSize, deferredNow, claimant)) pending.Add(d);
        return pending;
    }

    [SkippableFact]
    public void Planning_an_edition_stores_its_readers_the_edition_and_marks_its_comparisons_as_sent_in_it()
    {
        using var services = Services();
        var comparisons = services.GetRequiredService<IComparisonStore>();
        var c1 = Comparison("c1", Now.AddDays(-1));
        comparisons.Upsert([c1]);
        var ledger = services.GetRequiredService<IDeliveryLedger>();

        var planned = ledger.Plan(Edition(1, c1), [
            Reader(1, 0, "ada@example.com"), Reader(1, 1, "grace@example.com"), Reader(1, 2, "alan@example.com", DeliveryState.Skipped)]);

        Assert.Equal(2, planned[DeliveryState.Planned]);
        Assert.Equal(1, planned[DeliveryState.Skipped]);
        Assert.Equal(new EditionCounts(2, 0, 0, 0, 1, 0), ledger.Count(1));
        Assert.NotNull(services.GetRequiredService<IEditionStore>().Find(1));
        Assert.Equal(1, comparisons.Find("c1")!.EditionNumber);
        Assert.Equal(["ada@example.com", "grace@example.com", "alan@example.com"], ledger.ForEdition(1).Select(d => d.Email));
    }

    [SkippableFact]
    public void Planning_an_edition_again_replaces_the_plan_a_crash_left_behind()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), [Reader(1, 0, "ada@example.com"), Reader(1, 1, "grace@example.com")]);

        ledger.Plan(Edition(1), [Reader(1, 0, "alan@example.com")]);

        Assert.Equal(["alan@example.com"], ledger.ForEdition(1).Select(d => d.Email));
    }

    [SkippableFact]
    public void A_plan_cut_short_is_finished_by_planning_again_with_each_reader_once_and_those_stored_kept_as_they_were()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var editions = services.GetRequiredService<IEditionStore>();
        using var stop = new CancellationTokenSource();
        IEnumerable<DeliveryRecord> List(bool stopHalfway)
        {
            for (var i = 0; i < 600; i++)
            {
                if (stopHalfway && i == 300) stop.Cancel();
                yield return Reader(1, i, $"reader{i}@example.com");
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() => ledger.Plan(Edition(1), List(stopHalfway: true), cancellationToken: stop.Token));
        // A store that writes the plan in parts keeps what it stored (and may have sent some of it); one that
        // writes it in one transaction kept nothing.
        var stored = ledger.ForEdition(1);
        if (stored.Count > 0)
        {
            Assert.True(editions.Find(1)!.Planning);
            stored[0].State = DeliveryState.Sent;
            ledger.Record([stored[0]]);
        }
        ledger.Plan(editions.Find(1) ?? Edition(1), List(stopHalfway: false));

        var all = ledger.ForEdition(1);
        Assert.Equal(600, all.Select(d => d.Key).Distinct().Count());
        Assert.Equal(600, all.Count);
        Assert.Equal(stored.Count > 0 ? 1 : 0, all.Count(d => d.State == DeliveryState.Sent));
        Assert.False(editions.Find(1)!.Planning);
    }

    [SkippableFact]
    public void An_edition_taken_for_cut_short_whose_plan_was_finished_since_keeps_its_plan_and_what_was_sent()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var editions = services.GetRequiredService<IEditionStore>();
        DeliveryRecord[] List() => [Reader(1, 0, "ada@example.com"), Reader(1, 1, "grace@example.com")];
        ledger.Plan(Edition(1), List());
        var ada = ledger.Find(1, "ada@example.com")!;
        ada.State = DeliveryState.Sent;
        ledger.Record([ada]);
        // As another worker read it while the plan was still being written.
        var readMidPlan = editions.Find(1)!;
        readMidPlan.Planning = true;

        var added = ledger.Plan(readMidPlan, List());

        Assert.Empty(added);
        Assert.Equal(new EditionCounts(1, 1, 0, 0, 0, 0), ledger.Count(1));
        Assert.False(editions.Find(1)!.Planning);
    }

    [SkippableFact]
    public async Task Readers_of_a_plan_still_being_written_are_handed_out_before_it_ends_and_the_rest_once_it_has()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var sendable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listRest = new SemaphoreSlim(0);
        IEnumerable<DeliveryRecord> List()
        {
            for (var i = 0; i < 3000; i++)
            {
                // The subscriber list is read no further until the test has seen readers handed out.
                if (i == 1000) listRest.Wait();
                yield return Reader(1, i, $"reader{i}@example.com");
            }
        }

        var planning = Task.Run(() => ledger.Plan(Edition(1), List(), () => sendable.TrySetResult()));
        var handedOut = new List<string>();
        try
        {
            // A guard, not a wait for time: a store that calls sendable only once the plan is whole never gets past it.
            var first = await Task.WhenAny(sendable.Task, planning, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(first == sendable.Task, "sendable was not called before the plan was whole");
            Assert.False(planning.IsCompleted);

            await using var pending = ledger.PendingAsync(1, pageSize: 100, planning: planning).GetAsyncEnumerator();
            while (handedOut.Count < 100 && await pending.MoveNextAsync()) handedOut.Add(pending.Current.Email);
            Assert.False(planning.IsCompleted);
            listRest.Release();
            while (await pending.MoveNextAsync()) handedOut.Add(pending.Current.Email);
        }
        finally
        {
            if (!planning.IsCompleted) listRest.Release();
            await planning;
        }

        Assert.True(planning.IsCompletedSuccessfully);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => $"reader{i}@example.com"), handedOut);
        Assert.Equal(3000, ledger.Count(1).Planned);
        Assert.False(services.GetRequiredService<IEditionStore>().Find(1)!.Planning);
    }

    [SkippableFact]
    public async Task Pending_readers_are_the_planned_ones_due_and_the_deferred_ones_due_in_plan_order_page_by_page()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), [
            Reader(1, 0, "due@example.com"),
            Reader(1, 1, "later@example.com", dueAt: Now.AddHours(5)),
            Reader(1, 2, "sent@example.com", DeliveryState.Sent),
            Reader(1, 3, "deferred@example.com", DeliveryState.Deferred, dueAt: Now.AddHours(1)),
            Reader(1, 4, "deferred-due@example.com", DeliveryState.Deferred, dueAt: Now.AddMinutes(-1)),
            Reader(1, 5, "skipped@example.com", DeliveryState.Skipped),
        ]);
        ledger.Plan(Edition(2), [Reader(2, 0, "other-edition@example.com")]);

        Assert.Equal(["due@example.com", "deferred-due@example.com"], (await PendingAsync(ledger, 1, Now, pageSize: 2)).Select(d => d.Email));
        Assert.Equal(["due@example.com", "deferred@example.com", "deferred-due@example.com"],
            (await PendingAsync(ledger, 1, Now, pageSize: 1, deferredNow: true)).Select(d => d.Email));
        Assert.Equal(["due@example.com", "later@example.com", "deferred@example.com", "deferred-due@example.com"],
            (await PendingAsync(ledger, 1)).Select(d => d.Email));
        Assert.Equal(2, ledger.Due(1, Now));
        Assert.Equal(3, ledger.Due(1, Now, deferredNow: true));
        Assert.Equal(4, ledger.Due(1, Now.AddHours(6)));
    }

    [SkippableFact]
    public void An_edition_has_readers_planned_until_the_last_planned_one_is_settled()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), [
            Reader(1, 0, "sent@example.com", DeliveryState.Sent),
            Reader(1, 1, "deferred@example.com", DeliveryState.Deferred),
            Reader(1, 2, "morning@example.com", dueAt: Now.AddHours(5), zone: "Asia/Tokyo"),
        ]);
        ledger.Plan(Edition(2), [Reader(2, 0, "skipped@example.com", DeliveryState.Skipped)]);

        Assert.True(ledger.AnyPlanned(1));
        var morning = ledger.Find(1, "morning@example.com")!;
        morning.State = DeliveryState.Sent;
        ledger.Record([morning]);

        Assert.False(ledger.AnyPlanned(1));
        Assert.False(ledger.AnyPlanned(2));
        Assert.False(ledger.AnyPlanned(3));
    }

    [SkippableFact]
    public void Recorded_outcomes_are_counted_found_by_address_id_and_Message_ID_and_a_bounce_suppresses_the_reader()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), [Reader(1, 0, "Ada@example.com"), Reader(1, 1, "grace@example.com"), Reader(1, 2, "alan@example.com")]);
        var (ada, grace) = (ledger.Find(1, "ada@example.com")!, ledger.Find(1, "grace@example.com")!);
        ada.State = DeliveryState.Sent;
        ada.Relay = "eu west (primary)";
        ada.LastReply = "250 2.0.0 queued";
        grace.State = DeliveryState.Bounced;
        grace.LastReply = "550 5.1.1 no such user";

        ledger.Record([ada, grace]);

        Assert.Equal(new EditionCounts(1, 1, 0, 1, 0, 0), ledger.Count(1));
        Assert.Equal(new Dictionary<string, int> { ["eu west (primary)"] = 1 }, ledger.SentByRelay(1));
        Assert.Equal(["grace@example.com"], ledger.Bounced(1));
        Assert.Equal("250 2.0.0 queued", ledger.Find(1, "ADA@EXAMPLE.COM")!.LastReply);
        Assert.Equal("Ada@example.com", ledger.Find(DeliveryRecord.IdFor(1, 0))!.Email);
        Assert.Equal("grace@example.com", ledger.FindByMessageId("digest.1.1@example.com")!.Email);
        Assert.Null(ledger.Find(2, "ada@example.com"));
        Assert.Null(ledger.FindByMessageId("nobody@example.com"));
        var suppressions = services.GetRequiredService<ISuppressions>();
        Assert.True(suppressions.Contains("grace@example.com"));
        Assert.Equal(SuppressionReason.HardBounce, suppressions.All().Single().Reason);
        Assert.Contains("550 5.1.1", suppressions.All().Single().Detail);
    }

    [SkippableFact]
    public void A_Message_ID_finds_the_reader_at_the_edition_and_place_it_names_and_one_that_names_another_reader_s_place_finds_no_one()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        static string Id(int edition, int position, string mac) => $"digest.{edition}.{position:D10}.store1.{mac}@example.com";
        var readers = new[] { Reader(4, 0, "ada@example.com"), Reader(4, 1, "grace@example.com"), Reader(4, 7, "alan@example.com") };
        for (var i = 0; i < readers.Length; i++) readers[i].MessageId = Id(4, DeliveryRecord.PositionOf(readers[i].Id), $"mac{i}");
        ledger.Plan(Edition(4), readers);
        ledger.Plan(Edition(5), [Reader(5, 1, "edsger@example.com")]);

        Assert.Equal("grace@example.com", ledger.FindByMessageId(Id(4, 1, "mac1"))!.Email);
        Assert.Equal("alan@example.com", ledger.FindByMessageId(Id(4, 7, "mac2"))!.Email);
        // Grace's place with Ada's MAC, a place nobody holds, another edition: each names no reader of this store.
        Assert.Null(ledger.FindByMessageId(Id(4, 1, "mac0")));
        Assert.Null(ledger.FindByMessageId(Id(4, 2, "mac1")));
        Assert.Null(ledger.FindByMessageId(Id(6, 1, "mac1")));
        // The older forms, without a place: found within the edition they name.
        Assert.Equal("edsger@example.com", ledger.FindByMessageId("digest.5.1@example.com")!.Email);
        Assert.Null(ledger.FindByMessageId("digest.4.1@example.com"));
        Assert.Null(ledger.FindByMessageId("<1234.5678@mail.example.org>"));
        Assert.Null(ledger.FindByMessageId(""));
    }

    [SkippableFact]
    public void Restoring_refusals_plans_the_readers_again_and_lifts_only_the_suppressions_made_since()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var suppressions = services.GetRequiredService<ISuppressions>();
        suppressions.Add("grace@example.com", SuppressionReason.HardBounce, "an earlier edition");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var since = Now;
        ledger.Plan(Edition(1), [Reader(1, 0, "ada@example.com"), Reader(1, 1, "grace@example.com")]);
        var refused = ledger.ForEdition(1).ToList();
        foreach (var d in refused)
        {
            d.State = DeliveryState.Bounced;
            d.LastReply = "550 relay says no";
        }
        ledger.Record(refused);

        ledger.Restore(refused, since, "planned again");

        Assert.Equal(new EditionCounts(2, 0, 0, 0, 0, 0), ledger.Count(1));
        Assert.Equal("planned again (was: 550 relay says no)", ledger.Find(1, "ada@example.com")!.LastReply);
        Assert.False(suppressions.Contains("ada@example.com"));
        Assert.True(suppressions.Contains("grace@example.com"));
    }

    [SkippableFact]
    public async Task Outcomes_given_to_a_recorder_are_in_the_ledger_once_it_is_closed()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), Enumerable.Range(0, 50).Select(i => Reader(1, i, $"r{i}@example.com")));
        using var slot = services.GetRequiredService<ISenderSlots>().TryTake(out _)!;

        await using (var recorder = ledger.OpenRecorder(slot))
        {
            await Task.WhenAll((await PendingAsync(ledger, 1, claimant: slot)).Select(d =>
            {
                d.State = DeliveryState.Sent;
                d.Relay = "relay";
                return recorder.RecordAsync(d);
            }));
        }

        Assert.Equal(50, ledger.Count(1).Sent);
        Assert.Equal(0, ledger.RecoverOutcomes());
    }

    [SkippableFact]
    public void Readers_waiting_for_their_local_morning_are_counted_by_zone_soonest_first()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        ledger.Plan(Edition(1), [
            Reader(1, 0, "tokyo@example.com", dueAt: Now.AddHours(20), zone: "Asia/Tokyo"),
            Reader(1, 1, "tokyo2@example.com", dueAt: Now.AddHours(20), zone: "Asia/Tokyo"),
            Reader(1, 2, "ny@example.com", dueAt: Now.AddHours(4), zone: "America/New_York"),
            Reader(1, 3, "now@example.com"),
        ]);

        var waiting = ledger.Waiting(1, Now);

        Assert.Equal([("America/New_York", 1), ("Asia/Tokyo", 2)], waiting.Select(w => (w.Zone, w.Count)));
        Assert.Equal(Now.AddHours(4), waiting[0].Next, TimeSpan.FromSeconds(1));
    }

    [SkippableFact]
    public void Folding_keeps_the_counts_of_older_complete_editions_and_drops_their_records()
    {
        using var services = Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var editions = services.GetRequiredService<IEditionStore>();
        for (var n = 1; n <= 3; n++)
        {
            ledger.Plan(Edition(n), [Reader(n, 0, "ada@example.com", DeliveryState.Sent), Reader(n, 1, "grace@example.com", DeliveryState.Skipped)]);
            var sent = ledger.Find(n, "ada@example.com")!;
            sent.Relay = "relay";
            ledger.Record([sent]);
            var edition = editions.Find(n)!;
            edition.CompletedAt = Now;
            editions.Save(edition);
        }

        Assert.Equal([1], ledger.Fold(keep: 2));

        Assert.Empty(ledger.ForEdition(1));
        Assert.Equal(2, ledger.ForEdition(2).Count);
        var folded = editions.Find(1)!;
        Assert.Equal(new EditionCounts(0, 1, 0, 0, 1, 0), ledger.Count(folded));
        Assert.Equal(new Dictionary<string, int> { ["relay"] = 1 }, ledger.SentByRelay(folded));
        Assert.Empty(ledger.Fold(keep: 2));
    }
}
