using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;

namespace Digest.Storage.LiteDb;

/// <summary>
/// The delivery ledger in the LiteDB file: one document per reader and edition, with ids that make an edition one
/// contiguous range of the primary index. Outcomes reach it through <see cref="LedgerWriter"/>: made durable first
/// in the <see cref="OutcomeJournal"/> beside the file, then written here in large batches.
/// </summary>
public sealed class LiteDbDeliveryLedger(LiteDbStore store, TimeProvider clock) : IDeliveryLedger
{
    private readonly OutcomeJournal _journal = new(store.Path);

    public IOutcomeRecorder OpenRecorder(IHeldLease lease) => new LedgerWriter(this, _journal, lease);

    public int RecoverOutcomes() => _journal.Replay(this);

    /// <summary>
    /// Stores the edition (marked <see cref="Edition.Planning"/>, its comparisons marked as sent in it in the same
    /// transaction), then the plan in parts, each its own transaction, then clears the mark. Sending starts after
    /// the first, small part (<paramref name="sendable"/>): 100,000 readers take seconds to store, and a reader
    /// should not wait for that. An edition found marked was cut short: its stored readers are kept (some may have
    /// been sent) and the others are added after them; an unmarked one is planned afresh.
    /// </summary>
    /// <returns>How many deliveries this call planned in each state.</returns>
    public IReadOnlyDictionary<DeliveryState, int> Plan(Edition edition, IEnumerable<DeliveryRecord> deliveries, Action? sendable = null,
        CancellationToken cancellationToken = default)
    {
        var first = DeliveryRecord.FirstId(edition.Number);
        var end = DeliveryRecord.EndId(edition.Number);
        HashSet<string>? planned = null;
        var next = first;
        if (store.Editions.FindById(edition.Number) is { Planning: true })
        {
            var stored = Scan(edition.Number, d => new { d.Id, d.Key }).ToList();
            planned = stored.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            if (stored.Count > 0) next = stored.Max(d => d.Id) + 1;
        }
        else if (edition.Planning)
        {
            // Taken for cut short, but its plan was finished since: planning it afresh would drop what was sent.
            return new Dictionary<DeliveryState, int>();
        }
        else
        {
            store.InTransaction(() => store.Deliveries.DeleteMany(d => d.Id >= first && d.Id < end));
            edition.Planning = true;
            var comparisons = new LiteDbComparisonStore(store);
            store.InTransaction(() =>
            {
                store.Editions.Upsert(edition);
                comparisons.MarkIn(edition.Number, edition.Comparisons.Select(c => c.Slug));
            });
        }
        var parts = new PlanParts(clock.GetUtcNow().UtcDateTime, Part, records => store.InTransaction(() => store.Deliveries.InsertBulk(records)), sendable, cancellationToken);
        var counts = parts.Write(deliveries, planned, next);
        edition.Planning = false;
        store.InTransaction(() => store.Editions.Update(edition));
        parts.Sendable();
        return counts;
    }

    /// <summary>
    /// The plan's later parts. In shared mode LiteDB opens a fresh engine for every transaction, and its page cache
    /// grows in arrays of 12, 50, 100, 500 and 1,000 pages, all on the large object heap and all dropped at the
    /// commit. A part of 5,000 readers needed the 500-page array (4 MB) every time; one of 2,000 stays within the first
    /// three. Peak memory fell from 163-176 MB to 143-149 MB at 100,000 readers and from 263-270 MB to 231-250 MB at
    /// 1,000,000, with the plan as fast (34-35 s at 1,000,000); 1,000 made it slower (39 s) for no less memory
    /// (docs/benchmarks.md).
    /// </summary>
    private const int Part = 2000;

    /// <summary>Never: only the process that holds the sender lease plans, and it plans one edition at a time.</summary>
    public bool IsBeingPlanned(int edition) => false;

    /// <summary>
    /// Pages through the edition's deliveries still to be sent (planned, or deferred by an earlier run) in
    /// plan order, a page at a time, so memory stays flat however long the list. A deferred reader is due when
    /// their backoff ends, or at once with <paramref name="deferredNow"/>.
    /// </summary>
    public async IAsyncEnumerable<DeliveryRecord> PendingAsync(int edition, DateTime? dueBy = null, int pageSize = 1000, bool deferredNow = false, IHeldLease? claimant = null,
        Task? planning = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = DeliveryRecord.FirstId(edition) - 1;
        var end = DeliveryRecord.EndId(edition);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Asked before the page is read: a plan that had ended by then is all in the page or before it.
            var planned = planning is null || planning.IsCompleted;
            var page = store.Deliveries.Query()
                .Where(d => d.Id > after && d.Id < end)
                .OrderBy(d => d.Id)
                .Limit(pageSize)
                .ToList();
            if (page.Count == 0)
            {
                if (planned) yield break;
                // Sending caught up with the plan being written: look again when it has stored more.
                await Task.WhenAny(planning!, Task.Delay(PlanPoll, cancellationToken));
                continue;
            }
            after = page[^1].Id;
            foreach (var d in page)
                if (IsPending(d, dueBy, deferredNow))
                    yield return d;
            await Task.Yield();
        }
    }

    private static readonly TimeSpan PlanPoll = TimeSpan.FromMilliseconds(20);

    private static bool IsPending(DeliveryRecord d, DateTime? dueBy, bool deferredNow) => d.State switch
    {
        DeliveryState.Planned => dueBy is null || d.DueAt <= dueBy,
        DeliveryState.Deferred => deferredNow || dueBy is null || d.DueAt <= dueBy,
        _ => false,
    };

    /// <summary>How many of the edition's readers a run at <paramref name="now"/> would send to.</summary>
    public int Due(int edition, DateTime now, bool deferredNow = false)
    {
        return Scan(edition, d => new { d.State, d.DueAt }, d => d.State == DeliveryState.Planned || d.State == DeliveryState.Deferred)
            .Count(d => d.State == DeliveryState.Planned ? d.DueAt <= now : deferredNow || d.DueAt <= now);
    }

    /// <summary>
    /// Undoes refusals a run recorded that turned out to be the relay's (the circuit breaker tripped): the
    /// readers are planned again and the hard-bounce suppressions made since <paramref name="since"/> lifted.
    /// </summary>
    public void Restore(IReadOnlyCollection<DeliveryRecord> refused, DateTime since, string reason)
    {
        if (refused.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        store.InTransaction(() =>
        {
            foreach (var d in refused)
            {
                d.State = DeliveryState.Planned;
                d.LastReply = $"{reason} (was: {d.LastReply})";
                d.UpdatedAt = now;
                store.Deliveries.Update(d);
                if (store.Suppressions.FindById(d.Key) is { Reason: Subscribers.SuppressionReason.HardBounce } s && s.At >= since)
                    store.Suppressions.Delete(d.Key);
            }
        });
    }

    /// <summary>
    /// Writes a batch of outcomes in one transaction: one commit for many messages. A hard bounce suppresses
    /// the address in the same transaction, so no later edition can reach it.
    /// </summary>
    public void Record(IReadOnlyCollection<DeliveryRecord> outcomes)
    {
        if (outcomes.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        store.InTransaction(() =>
        {
            foreach (var d in outcomes)
            {
                d.UpdatedAt = now;
                store.Deliveries.Update(d);
                if (d.State == DeliveryState.Bounced && store.Suppressions.FindById(d.Key) is null)
                    store.Suppressions.Insert(new Subscribers.Suppression
                    {
                        Email = d.Key,
                        Reason = Subscribers.SuppressionReason.HardBounce,
                        Detail = $"edition {d.Edition}: {d.LastReply}",
                        At = now,
                    });
            }
        });
    }

    /// <summary>
    /// Brings the ledger up to date with outcomes a crashed run made durable in its journal but had not yet
    /// written here; a bounce suppresses as it would have.
    /// </summary>
    public void Recover(IReadOnlyList<(long Id, DeliveryState State, string? Relay)> outcomes)
    {
        var recovered = new List<DeliveryRecord>();
        foreach (var (id, state, relay) in outcomes)
        {
            if (store.Deliveries.FindById(id) is not { } d) continue;
            d.State = state;
            d.Relay = relay ?? d.Relay;
            d.LastReply = $"{state} (recovered from the journal after a restart)";
            recovered.Add(d);
        }
        Record(recovered);
    }

    public DeliveryRecord? Find(long id) => store.Deliveries.FindById(id);

    /// <summary>
    /// By the edition and plan position the Message-ID names (<see cref="MessageIds.Locate"/>), so the store keeps no
    /// index of Message-IDs: one cost a 70-character key and a node in every plan's write, about a quarter of the
    /// time a 100,000-reader plan took. IDs of the forms before positions are looked for in their edition only.
    /// </summary>
    public DeliveryRecord? FindByMessageId(string messageId)
    {
        if (MessageIds.Locate(messageId) is not { } at) return null;
        if (at.Position is { } position)
            return store.Deliveries.FindById(DeliveryRecord.IdFor(at.Edition, position)) is { } d && SameMessageId(d, messageId) ? d : null;
        // Read as every whole-edition read is (Scan): a range of ids at a time, stopping at the reader found.
        return Scan(at.Edition, d => d).FirstOrDefault(d => SameMessageId(d, messageId));
    }

    /// <summary>In any case, as the index of Message-IDs compared them (LiteDB's default collation ignores case).</summary>
    private static bool SameMessageId(DeliveryRecord d, string messageId) =>
        d.MessageId.Length > 0 && string.Equals(d.MessageId, messageId, StringComparison.OrdinalIgnoreCase);

    public DeliveryRecord? Find(int edition, string email)
    {
        var key = email.ToLowerInvariant();
        var first = DeliveryRecord.FirstId(edition);
        var end = DeliveryRecord.EndId(edition);
        return store.Deliveries.Query().Where(d => d.Key == key && d.Id >= first && d.Id < end).FirstOrDefault();
    }

    /// <summary>The lower-cased addresses the edition bounced.</summary>
    public HashSet<string> Bounced(int edition)
    {
        return Scan(edition, d => new { d.Key }, d => d.State == DeliveryState.Bounced)
            .Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<DeliveryRecord> ForEdition(int edition)
    {
        var first = DeliveryRecord.FirstId(edition);
        var end = DeliveryRecord.EndId(edition);
        return store.Deliveries.Query().Where(d => d.Id >= first && d.Id < end).OrderBy(d => d.Id).ToList();
    }

    /// <summary>
    /// Folds every complete edition older than the newest <paramref name="keep"/> into counts and deletes its
    /// per-reader records. The counts are stored first, then the records go a chunk per transaction: a crash in
    /// between leaves records of a folded edition, which the next fold deletes. LiteDB reuses the freed pages
    /// for the next edition's plan, so the file stops growing at about <paramref name="keep"/> editions' worth.
    /// </summary>
    /// <returns>The editions folded now.</returns>
    public IReadOnlyList<int> Fold(int keep)
    {
        var latest = store.Editions.Query().OrderByDescending(e => e.Number).FirstOrDefault();
        if (latest is null || latest.Number <= keep) return [];
        var oldestKept = latest.Number - keep + 1;
        var folded = new List<int>();
        foreach (var edition in store.Editions.Query().Where(e => e.Number < oldestKept && e.CompletedAt != null).ToList())
        {
            var first = DeliveryRecord.FirstId(edition.Number);
            var end = DeliveryRecord.EndId(edition.Number);
            if (edition.Folded is null)
            {
                var c = Count(edition.Number);
                edition.Folded = new FoldedDeliveries
                {
                    Planned = c.Planned, Sent = c.Sent, Deferred = c.Deferred, Bounced = c.Bounced, Skipped = c.Skipped, Failed = c.Failed,
                    SentByRelay = SentByRelay(edition.Number).ToDictionary(),
                    FoldedAt = clock.GetUtcNow().UtcDateTime,
                };
                store.Editions.Update(edition);
                folded.Add(edition.Number);
            }
            else if (!store.Deliveries.Exists(d => d.Id >= first && d.Id < end)) continue;
            const long chunk = 5000;
            for (var from = first; from < end; from += chunk)
            {
                var to = Math.Min(from + chunk, end);
                if (store.InTransaction(() => store.Deliveries.DeleteMany(d => d.Id >= from && d.Id < to)) == 0
                    && !store.Deliveries.Exists(d => d.Id >= to && d.Id < end)) break;
            }
        }
        return folded;
    }

    public EditionCounts Count(int edition)
    {
        var counts = new int[Enum.GetValues<DeliveryState>().Length];
        foreach (var row in Scan(edition, d => new { d.State }))
            counts[(int)row.State]++;
        return new EditionCounts(counts[(int)DeliveryState.Planned], counts[(int)DeliveryState.Sent],
            counts[(int)DeliveryState.Deferred], counts[(int)DeliveryState.Bounced],
            counts[(int)DeliveryState.Skipped], counts[(int)DeliveryState.Failed]);
    }

    public bool AnyPlanned(int edition) => Scan(edition, d => d.Id, d => d.State == DeliveryState.Planned).Any();

    /// <summary>Readers of the edition waiting for their local time, by zone, with when the first is due.</summary>
    public IReadOnlyList<(string Zone, int Count, DateTime Next)> Waiting(int edition, DateTime now)
    {
        return Scan(edition, d => new { d.TimeZone, d.DueAt }, d => d.State == DeliveryState.Planned && d.DueAt > now)
            .GroupBy(d => d.TimeZone ?? "(no zone)")
            .Select(g => (g.Key, g.Count(), g.Min(d => d.DueAt)))
            .OrderBy(w => w.Item3)
            .ToList();
    }

    /// <summary>Messages of the edition each relay accepted.</summary>
    public IReadOnlyDictionary<string, int> SentByRelay(int edition)
    {
        return Scan(edition, d => new { d.Relay }, d => d.State == DeliveryState.Sent)
            .GroupBy(d => d.Relay ?? "?")
            .ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>
    /// The edition's records (those matching <paramref name="where"/>, as <paramref name="select"/> makes them) in
    /// plan order, <see cref="ScanPage"/> ids at a time, each range its own query. LiteDB keeps every page a query
    /// has read in its cache until the query ends: counting 1,000,000 records in one query grew the worker by 450 MB
    /// at the end of an edition. Ranges of ids rather than pages of results, so that a filter few records match
    /// (the bounced readers) reads no more per query than one without (`ledger-reads` in tests/Digest.Benchmarks).
    /// </summary>
    private IEnumerable<T> Scan<T>(int edition, Expression<Func<DeliveryRecord, T>> select, Expression<Func<DeliveryRecord, bool>>? where = null)
    {
        var first = DeliveryRecord.FirstId(edition);
        var end = DeliveryRecord.EndId(edition);
        // An edition's ids are its readers' positions in the plan, so the ranges up to its last id cover it.
        // BETWEEN is one index range: LiteDB runs `Id >= a && Id < b` as a seek from `a` to the end of the
        // collection with `Id < b` as a filter, through every later edition's records.
        var last = store.Deliveries.Query().Where("_id BETWEEN @0 AND @1", first, end - 1).OrderByDescending(d => d.Id).Select(d => d.Id).Limit(1).ToList();
        if (last.Count == 0) yield break;
        for (var from = first; from <= last[0]; from += ScanPage)
        {
            var query = store.Deliveries.Query().Where("_id BETWEEN @0 AND @1", from, from + ScanPage - 1);
            if (where is not null) query = query.Where(where);
            foreach (var row in query.OrderBy(d => d.Id).Select(select).ToList()) yield return row;
        }
    }

    private const int ScanPage = 5000;
}
