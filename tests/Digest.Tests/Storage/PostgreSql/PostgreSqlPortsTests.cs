using Digest.Bounces;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Storage.PostgreSql;
using Digest.Subscribers;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Storage.PostgreSql;


/// <summary>Each port's PostgreSQL implementation against a real server, a new database per test.</summary>
public sealed class PostgreSqlPortsTests(PostgresFixture server) : PostgreSqlTest(server)
{
    private static readonly DateTime Monday = new(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Monday));
    private PostgreSqlStore _store = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (PostgresFixture.Binaries is not null) _store = Open();
    }

    /// <summary>Another worker's view of the same database: its own pool, its own claims.</summary>
    private PostgreSqlStore Open() => new(Database);

    private PostgreSqlDeliveryLedger Ledger(PostgreSqlStore? store = null, TimeSpan? claim = null) =>
        new(store ?? _store, Microsoft.Extensions.Options.Options.Create(new DigestOptions { Delivery = { LeaseDuration = claim ?? TimeSpan.FromMinutes(1) } }), _clock);

    private static Edition Edition(int number, params Comparison[] comparisons) =>
        new() { Number = number, CutOff = Monday, CreatedAt = Monday, Comparisons = [.. comparisons], Transport = EditionTransport.Smtp };

    private static IEnumerable<DeliveryRecord> Readers(int edition, int count) => Enumerable.Range(0, count).Select(i => new DeliveryRecord
    {
        Id = DeliveryRecord.IdFor(edition, i),
        Edition = edition,
        Email = $"Reader{i}@Example.com",
        Key = $"reader{i}@example.com",
        Name = $"Reader {i}",
        Categories = ["agents", "ides"],
        TimeZone = i % 2 == 0 ? "Europe/Berlin" : null,
        DueAt = Monday,
        State = DeliveryState.Planned,
        MessageId = $"m{i}.{edition}@digest.example.com",
    });

    private static Comparison Comparison(string slug) => new()
    {
        Slug = slug,
        Title = "Cursor vs Windsurf",
        Question = "Which one?",
        Url = "https://example.com/" + slug,
        PublishedAt = Monday.AddDays(-2),
        Tools = [new Tool { Name = "Cursor", Category = "ides", PanelShip = 80, Community = null }],
        Reviews = [new Review { Tool = "Cursor", Lens = "thesis", Verdict = "Ship", Quote = "<b>fast</b> & \"sharp\"" }],
    };

    /// <summary>Starts writing edition 1's plan of 1,000 readers on a thread of its own, held before the 600th until <paramref name="rest"/> is released.</summary>
    private Task<IReadOnlyDictionary<DeliveryState, int>> PlanHeld(SemaphoreSlim rest, TaskCompletionSource sendable)
    {
        IEnumerable<DeliveryRecord> HeldReaders()
        {
            var n = 0;
            foreach (var d in Readers(1, 1000))
            {
                if (n++ == 600) rest.Wait();
                yield return d;
            }
        }
        return Task.Run(() => Ledger().Plan(Edition(1), HeldReaders(), () => sendable.TrySetResult()));
    }

    private sealed class Held(long token) : IHeldLease
    {
        public long Token => token;
        public bool IsHeld { get; set; } = true;
    }

    [RequiresPostgresFact]
    public async Task A_planned_edition_is_sent_once_its_outcomes_recorded_and_a_resume_sends_only_the_rest()
    {
        // The first process claims for 2 s: when it dies, what it claimed and never recorded is free after that.
        var ledger = Ledger(claim: TimeSpan.FromSeconds(2));
        var planned = ledger.Plan(Edition(1), Readers(1, 2500));
        Assert.Equal(2500, planned[DeliveryState.Planned]);

        var firstRun = new List<DeliveryRecord>();
        await foreach (var d in ledger.PendingAsync(1, Monday, pageSize: 400))
        {
            if (firstRun.Count == 1000) break;
            d.State = DeliveryState.Sent;
            d.Relay = "primary";
            firstRun.Add(d);
        }
        ledger.Record(firstRun);

        // A new process (the first one crashed after recording 1,000): its claims are not this one's.
        var resumed = await Ledger(Open()).PendingAsync(1, Monday, pageSize: 400).ToListAsync();

        Assert.Equal(1500, resumed.Count);
        Assert.Empty(resumed.Select(d => d.Id).Intersect(firstRun.Select(d => d.Id)));
        var counts = ledger.Count(1);
        Assert.Equal((1000, 1500, 2500), (counts.Sent, counts.Planned, counts.Total));
        Assert.Equal(1000, ledger.SentByRelay(1)["primary"]);
        var reader = ledger.Find(1, "READER7@example.com")!;
        Assert.Equal(("Reader7@Example.com", "Reader 7", null, DeliveryState.Sent), (reader.Email, reader.Name, reader.TimeZone, reader.State));
        Assert.Equal(["agents", "ides"], reader.Categories);
        Assert.Equal(reader.Id, ledger.FindByMessageId("m7.1@digest.example.com")!.Id);
    }

    [RequiresPostgresFact]
    public async Task Another_worker_sees_a_plan_being_written_as_such_and_one_whose_writer_stopped_as_cut_short()
    {
        var other = Ledger(Open());
        var otherEditions = new PostgreSqlEditionStore(Open());
        var sendable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listRest = new SemaphoreSlim(0);
        var planning = PlanHeld(listRest, sendable);
        try
        {
            await sendable.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(otherEditions.Find(1)!.Planning);
            Assert.True(other.IsBeingPlanned(1));
        }
        finally
        {
            listRest.Release();
            await planning;
        }
        Assert.False(other.IsBeingPlanned(1));
        Assert.False(otherEditions.Find(1)!.Planning);
        Assert.Equal(1000, other.Count(1).Planned);

        // A plan stopped halfway: marked, and nobody writes it, so the next run finishes it.
        using var stop = new CancellationTokenSource();
        IEnumerable<DeliveryRecord> Stopped()
        {
            foreach (var d in Readers(2, 1000))
            {
                if (d.Id == DeliveryRecord.IdFor(2, 600)) stop.Cancel();
                yield return d;
            }
        }
        Assert.ThrowsAny<OperationCanceledException>(() => Ledger().Plan(Edition(2), Stopped(), cancellationToken: stop.Token));
        Assert.True(otherEditions.Find(2)!.Planning);
        Assert.False(other.IsBeingPlanned(2));
        Assert.InRange(other.Count(2).Planned, 1, 599);
    }

    [RequiresPostgresFact]
    public async Task A_worker_that_joins_while_another_writes_the_plan_goes_on_sending_until_the_plan_is_whole()
    {
        var joiner = Ledger(Open());
        var sendable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listRest = new SemaphoreSlim(0);
        var planning = PlanHeld(listRest, sendable);
        await sendable.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // What the writer has stored so far; it is held before the rest until the joiner has sent all of it.
        var stored = joiner.Count(1).Total;
        Assert.InRange(stored, 1, 600);

        // The joiner, as DigestRun starts it when it finds the plan being written: it has no plan task of its own.
        var sent = new List<long>();
        await foreach (var d in joiner.PendingAsync(1, Monday, pageSize: 1000))
        {
            sent.Add(d.Id);
            d.State = DeliveryState.Sent;
            joiner.Record([d]);
            if (sent.Count == stored) listRest.Release();
        }
        await planning;

        Assert.Equal(1000, sent.Count);
        Assert.Equal(1000, sent.Distinct().Count());
        Assert.Equal(1000, Ledger().Count(1).Sent);
    }

    [RequiresPostgresFact]
    public async Task Two_workers_sharing_an_edition_each_get_a_share_and_no_reader_twice()
    {
        Ledger().Plan(Edition(1), Readers(1, 6000));
        var workers = new[] { Ledger(Open()), Ledger(Open()) };

        var shares = await Task.WhenAll(workers.Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            await foreach (var d in w.PendingAsync(1, Monday, pageSize: 100))
            {
                mine.Add(d.Id);
                d.State = DeliveryState.Sent;
                w.Record([d]);
            }
            return mine;
        })));

        Assert.All(shares, share => Assert.NotEmpty(share));
        Assert.Equal(6000, shares.Sum(s => s.Count));
        Assert.Equal(6000, shares.SelectMany(s => s).Distinct().Count());
        Assert.Equal(6000, Ledger().Count(1).Sent);
    }

    [RequiresPostgresFact]
    public async Task The_readers_claimed_by_a_worker_that_died_go_to_another_once_its_claim_expires()
    {
        Ledger().Plan(Edition(1), Readers(1, 300));
        var dead = Ledger(Open(), TimeSpan.FromSeconds(2));
        var claimedByTheDead = new List<long>();
        await foreach (var d in dead.PendingAsync(1, Monday, pageSize: 100))
        {
            claimedByTheDead.Add(d.Id);
            if (claimedByTheDead.Count == 100) break; // killed with its first page claimed and nothing recorded
        }

        var survivor = Ledger(Open());
        var sent = new List<long>();
        await foreach (var d in survivor.PendingAsync(1, Monday, pageSize: 100))
        {
            sent.Add(d.Id);
            d.State = DeliveryState.Sent;
            survivor.Record([d]);
        }

        Assert.Equal(300, sent.Distinct().Count());
        Assert.Subset(sent.ToHashSet(), claimedByTheDead.ToHashSet());
        Assert.Equal(0, survivor.Count(1).Undelivered);
    }

    [RequiresPostgresFact]
    public void A_bounced_outcome_suppresses_the_reader_in_the_same_batch_and_a_restore_lifts_it()
    {
        var ledger = Ledger();
        var suppressions = new PostgreSqlSuppressions(_store, _clock);
        ledger.Plan(Edition(1), Readers(1, 3));
        var bounced = ledger.Find(1, "reader1@example.com")!;
        bounced.State = DeliveryState.Bounced;
        bounced.LastReply = "550 5.1.1 no such user";

        ledger.Record([bounced]);

        Assert.True(suppressions.Contains("Reader1@Example.com"));
        Assert.Equal("edition 1: 550 5.1.1 no such user", suppressions.All().Single().Detail);
        Assert.Equal(["reader1@example.com"], ledger.Bounced(1));

        ledger.Restore([bounced], Monday.AddHours(-1), "the relay refused everyone");

        Assert.False(suppressions.Contains("reader1@example.com"));
        Assert.Equal("the relay refused everyone (was: 550 5.1.1 no such user)", ledger.Find(1, "reader1@example.com")!.LastReply);
        Assert.Equal(3, ledger.Count(1).Planned);
    }

    private PostgreSqlSenderSlots Slots(PostgreSqlStore store) =>
        new(store, Microsoft.Extensions.Options.Options.Create(new DigestOptions { Delivery = { LeaseDuration = TimeSpan.FromMinutes(1) } }),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgreSqlSenderSlots>.Instance);

    [RequiresPostgresFact]
    public async Task The_recorder_commits_outcomes_in_batches_and_writes_none_for_readers_another_worker_claimed_once_its_slot_expired()
    {
        var ledger = Ledger();
        ledger.Plan(Edition(1), Readers(1, 500));
        var paused = Ledger(Open());
        using var pausedSlot = Slots(Open()).TryTake(out _)!;
        var claimed = await paused.PendingAsync(1, Monday, pageSize: 500, claimant: pausedSlot).ToListAsync();

        await using (var recorder = paused.OpenRecorder(new Held(pausedSlot.Token)))
        {
            await Task.WhenAll(claimed.Take(400).Select(d =>
            {
                d.State = DeliveryState.Sent;
                return recorder.RecordAsync(d);
            }));
            // This worker was paused past its slot: it expired, and another worker claimed the readers it had left.
            await using (var source = Connect())
            await using (var expire = source.CreateCommand($"UPDATE senders SET expires_at = now() - interval '1 second' WHERE token = {pausedSlot.Token}"))
                await expire.ExecuteNonQueryAsync();
            var other = Ledger(Open());
            using var otherSlot = Slots(Open()).TryTake(out _)!;
            var taken = await other.PendingAsync(1, Monday, pageSize: 500, claimant: otherSlot).ToListAsync();
            Assert.Equal(100, taken.Count);
            taken[0].State = DeliveryState.Deferred;
            taken[0].LastReply = "451 recorded by the worker that took the reader";
            other.Record([taken[0]]);

            var late = claimed[400];
            late.State = DeliveryState.Sent;
            late.LastReply = "250 recorded late by the paused worker";
            await Assert.ThrowsAsync<SenderLeaseLostException>(() => recorder.RecordAsync(late));
        }

        Assert.Equal((400, 99, 1), (ledger.Count(1).Sent, ledger.Count(1).Planned, ledger.Count(1).Deferred));
        Assert.Equal("451 recorded by the worker that took the reader", ledger.Find(claimed[400].Id)!.LastReply);
    }

    [RequiresPostgresFact]
    public async Task A_slot_given_up_frees_its_claims_at_once_for_the_next_slot_whose_token_is_higher()
    {
        var ledger = Ledger();
        ledger.Plan(Edition(1), Readers(1, 50));
        var slots = Slots(Open());
        var first = slots.TryTake(out _)!;
        var claimed = await Ledger(Open()).PendingAsync(1, Monday, claimant: first).ToListAsync();
        first.Dispose();

        using var second = slots.TryTake(out _)!;
        var again = await Ledger(Open()).PendingAsync(1, Monday, claimant: second).ToListAsync();

        Assert.Equal(50, claimed.Count);
        Assert.Equal(claimed.Select(d => d.Id), again.Select(d => d.Id));
        Assert.True(second.Token > first.Token);
        Assert.True(second.IsHeld);
    }

    [RequiresPostgresFact]
    public void The_lease_is_taken_by_one_of_many_at_once_and_its_fencing_token_only_grows()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgreSqlSenderLeaseStore(Open())).ToList();
        using var start = new Barrier(stores.Count);

        var takes = stores.AsParallel().WithDegreeOfParallelism(stores.Count).Select((s, i) =>
        {
            start.SignalAndWait();
            return s.TryTake(current => string.IsNullOrEmpty(current.Holder), token => new LeaseRecord { Id = "sender", Holder = $"w{i}", Token = token, ExpiresAt = Monday.AddMinutes(1), Machine = "m", ProcessId = i });
        }).ToList();

        var winner = Assert.Single(takes, t => t.Taken);
        Assert.Equal(1, winner.Token);
        var holder = stores[0].Current()!;
        Assert.False(stores[0].TryRenew(new LeaseRecord { Id = "sender", Holder = "nobody", Token = 1, ExpiresAt = Monday.AddMinutes(2), Machine = "m" }));
        Assert.True(stores[0].TryRenew(new LeaseRecord { Id = "sender", Holder = holder.Holder, Token = 1, ExpiresAt = Monday.AddMinutes(2), Machine = "m", ProcessId = holder.ProcessId }));
        Assert.Equal(Monday.AddMinutes(2), stores[1].Current()!.ExpiresAt);

        stores[1].Release(holder.Holder!, 1);
        var next = stores[2].TryTake(current => string.IsNullOrEmpty(current.Holder), token => new LeaseRecord { Id = "sender", Holder = "late", Token = token, ExpiresAt = Monday.AddMinutes(1), Machine = "m" });

        Assert.Equal((true, 2L), (next.Taken, next.Token));
        Assert.Null(next.Previous!.Holder);
        Assert.False(stores[0].TryRenew(new LeaseRecord { Id = "sender", Holder = holder.Holder, Token = 1, ExpiresAt = Monday.AddMinutes(3), Machine = "m" }));
    }

    [RequiresPostgresFact]
    public void A_suppression_keeps_its_first_reason_matches_any_case_and_is_seen_by_a_watcher_since_its_time()
    {
        var suppressions = new PostgreSqlSuppressions(_store, _clock);

        Assert.True(suppressions.Add("Ann@Example.com", SuppressionReason.Unsubscribed, "one click"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(suppressions.Add("ann@example.com", SuppressionReason.HardBounce));
        Assert.True(suppressions.Add("bob@example.com", SuppressionReason.Complaint));

        Assert.True(suppressions.Contains("ANN@example.com"));
        Assert.Equal(SuppressionReason.Unsubscribed, suppressions.All()[0].Reason);
        Assert.Equal(["bob@example.com"], suppressions.AddedSince(Monday.AddMinutes(1)));
        Assert.Equal(["ann@example.com", "bob@example.com"], suppressions.Addresses().Order());
        Assert.True(suppressions.Remove("ANN@EXAMPLE.COM"));
        Assert.False(suppressions.Contains("ann@example.com"));
    }

    [RequiresPostgresFact]
    public void An_edition_keeps_its_comparisons_as_they_were_and_planning_it_marks_them_sent()
    {
        var comparisons = new PostgreSqlComparisonStore(_store);
        var editions = new PostgreSqlEditionStore(_store);
        comparisons.Upsert([Comparison("cursor-vs-windsurf"), Comparison("later")]);
        Assert.Equal(2, comparisons.CountWaiting(Monday, DateTime.MinValue));

        Ledger().Plan(Edition(1, comparisons.Find("cursor-vs-windsurf")!), Readers(1, 2));
        var fixedTitle = Comparison("cursor-vs-windsurf");
        fixedTitle.Title = "Cursor vs Windsurf (fixed)";
        comparisons.Upsert([fixedTitle]);

        Assert.Equal(1, fixedTitle.EditionNumber);
        Assert.Equal(["later"], comparisons.Waiting(Monday, DateTime.MinValue, 10).Select(c => c.Slug));
        var stored = editions.Unfinished()!;
        Assert.Equal("Cursor vs Windsurf", stored.Comparisons.Single().Title);
        Assert.Equal("<b>fast</b> & \"sharp\"", stored.Comparisons.Single().Reviews.Single().Quote);
        Assert.Equal(EditionTransport.Smtp, stored.Transport);
        stored.CompletedAt = Monday.AddHours(1);
        editions.Save(stored);
        Assert.Null(editions.Unfinished());
        Assert.Equal(1, editions.Latest()!.Number);
    }

    [RequiresPostgresFact]
    public void Editions_older_than_the_kept_ones_keep_only_their_counts()
    {
        var ledger = Ledger();
        var editions = new PostgreSqlEditionStore(_store);
        for (var n = 1; n <= 3; n++)
        {
            ledger.Plan(Edition(n), Readers(n, 10));
            var sent = ledger.ForEdition(n).Select(d => { d.State = DeliveryState.Sent; d.Relay = "primary"; return d; }).ToList();
            ledger.Record(sent);
            var e = editions.Find(n)!;
            e.CompletedAt = Monday;
            editions.Save(e);
        }

        Assert.Equal([1], ledger.Fold(keep: 2));

        Assert.Empty(ledger.ForEdition(1));
        var folded = editions.Find(1)!;
        IDeliveryLedger port = ledger;
        Assert.Equal(10, port.Count(folded).Sent);
        Assert.Equal(10, port.SentByRelay(folded)["primary"]);
        Assert.Equal(10, ledger.ForEdition(2).Count);
        Assert.Empty(ledger.Fold(keep: 2));
    }

    [RequiresPostgresFact]
    public void Bounce_reports_are_recorded_once_and_soft_bounces_in_a_row_suppress_at_the_limit()
    {
        var ledger = Ledger();
        var bounces = new PostgreSqlBounceLedger(_store, Microsoft.Extensions.Options.Options.Create(new DigestOptions { Bounces = { SoftBounceLimit = 2 } }), _clock);
        var suppressions = new PostgreSqlSuppressions(_store, _clock);
        for (var n = 1; n <= 2; n++)
        {
            ledger.Plan(Edition(n), Readers(n, 1));
            var d = ledger.ForEdition(n).Single();
            d.State = DeliveryState.Sent;
            ledger.Record([d]);
        }
        var soft = new DeliveryReport(ReportKind.SoftBounce, "4.2.2", "reader0@example.com", "mailbox full", [], null);

        var first = bounces.Record("r1", soft, ledger.ForEdition(1).Single(), Monday);
        var again = bounces.Record("r1", soft, ledger.ForEdition(1).Single(), Monday);
        var second = bounces.Record("r2", soft, ledger.ForEdition(2).Single(), Monday);

        Assert.Equal((false, false, 1), (first.Duplicate, first.Suppressed, first.SoftStreak));
        Assert.True(again.Duplicate);
        Assert.Equal((true, 2), (second.Suppressed, second.SoftStreak));
        Assert.Equal(SuppressionReason.SoftBounces, suppressions.All().Single().Reason);
        Assert.Equal(1, bounces.Count(2).SoftBounces);
        Assert.Equal(["r1", "r2"], bounces.ForAddress("READER0@example.com").Select(b => b.Id));
    }

    [RequiresPostgresFact]
    public void The_store_id_and_the_schedule_are_one_for_every_worker()
    {
        var a = new PostgreSqlStoreIdentity(_store).Id;
        var b = new PostgreSqlStoreIdentity(Open()).Id;
        var schedule = new PostgreSqlScheduleRecord(_store);
        Assert.Null(schedule.LastFire());

        schedule.Fired(new DateTimeOffset(Monday));

        Assert.Matches("^[0-9a-f]{16}$", a);
        Assert.Equal(a, b);
        Assert.Equal(Monday, new PostgreSqlScheduleRecord(Open()).LastFire());
    }
}
