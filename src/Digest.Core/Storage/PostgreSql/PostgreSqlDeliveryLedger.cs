using System.Runtime.CompilerServices;
using Digest.Editions;
using Digest.Ledger;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Digest.Storage.PostgreSql;


/// <summary>
/// The per-reader ledger in PostgreSQL. Several workers may send one edition: each claims a page of pending
/// readers at a time (<c>FOR UPDATE SKIP LOCKED</c>, so two workers never wait on or take the same rows) for its
/// sender slot (<see cref="PostgreSqlSenderSlots"/>), so the readers of a worker that died go to the others once
/// its slot expires. A claim made without a slot (a dry run, a tool) expires by itself after the lease duration.
/// </summary>
public sealed class PostgreSqlDeliveryLedger(PostgreSqlStore store, IOptions<DigestOptions> options, TimeProvider clock) : IDeliveryLedger
{
    internal const string Columns = "id, edition, email, key, name, categories, time_zone, due_at, state, attempts, runs, deferred_since, last_reply, message_id, relay, updated_at";

    /// <summary>Who claims readers: one name per ledger, so a process's pages are told from another's.</summary>
    public string Worker { get; } = $"{Environment.MachineName} pid {Environment.ProcessId} #{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How long a claimed page is another worker's before it may be taken over; as long as the sender lease lasts.</summary>
    internal TimeSpan ClaimDuration => options.Value.Delivery.LeaseDuration;

    /// <summary>
    /// As the LiteDB ledger does: the edition marked <see cref="Edition.Planning"/> with its comparisons' marks in one
    /// transaction, then the plan in parts (COPY, a transaction each), then the mark cleared, so sending starts after
    /// the first small part (<paramref name="sendable"/>) rather than once 100,000 rows are stored. Meanwhile this
    /// process holds the edition's plan lock (<see cref="IsBeingPlanned"/>): another worker that finds the mark joins
    /// the sending instead of taking the plan for one cut short. The lock goes with the session of a worker that
    /// dies, and the plan it left is then finished by the next run, keeping the readers it stored.
    /// </summary>
    public IReadOnlyDictionary<DeliveryState, int> Plan(Edition edition, IEnumerable<DeliveryRecord> deliveries,
        Action? sendable = null, CancellationToken cancellationToken = default)
    {
        using var planLock = store.DataSource.OpenConnection();
        using (var take = PostgreSqlStore.Command(planLock, null, "SELECT pg_advisory_lock($1, $2)", PlanLock, edition.Number))
            take.ExecuteNonQuery();
        try
        {
            var editions = new PostgreSqlEditionStore(store);
            HashSet<string>? planned = null;
            var next = DeliveryRecord.FirstId(edition.Number);
            if (editions.Find(edition.Number) is { Planning: true })
            {
                var stored = store.Query("SELECT id, key FROM deliveries WHERE edition = $1", r => (Id: r.GetInt64(0), Key: r.GetString(1)), edition.Number);
                planned = stored.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
                if (stored.Count > 0) next = stored.Max(d => d.Id) + 1;
            }
            else if (edition.Planning)
            {
                // Taken for cut short, but the worker writing it finished it since: planning it afresh would drop what was sent.
                return new Dictionary<DeliveryState, int>();
            }
            else
            {
                edition.Planning = true;
                store.InTransaction((connection, transaction) =>
                {
                    using (var clear = PostgreSqlStore.Command(connection, transaction, "DELETE FROM deliveries WHERE edition = $1", edition.Number))
                        clear.ExecuteNonQuery();
                    PostgreSqlEditionStore.Save(connection, transaction, edition);
                    PostgreSqlComparisonStore.MarkIn(connection, transaction, edition.Number, edition.Comparisons.Select(c => c.Slug));
                    return 0;
                });
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var parts = new PlanParts(now, Part, records => store.InTransaction((connection, _) => Copy(connection, records, now)), sendable, cancellationToken);
            var counts = parts.Write(deliveries, planned, next);
            edition.Planning = false;
            editions.Save(edition);
            parts.Sendable();
            return counts;
        }
        finally
        {
            // Unlocked by hand: a pooled connection keeps its session, and with it the lock, when it is returned.
            try
            {
                if (planLock.FullState == System.Data.ConnectionState.Open)
                {
                    using var release = PostgreSqlStore.Command(planLock, null, "SELECT pg_advisory_unlock($1, $2)", PlanLock, edition.Number);
                    release.ExecuteNonQuery();
                }
            }
            catch (Exception e) when (StoreFailure.Is(e))
            {
                // The connection is lost, and the server dropped the lock with its session; the plan's own error, if any, stands.
            }
        }
    }

    /// <summary>The plan's later parts: large, as each COPY and commit costs a round trip or more.</summary>
    private const int Part = 10_000;

    /// <summary>The first key of an edition's plan lock (the second is the edition's number): "dige" in ASCII.</summary>
    private const int PlanLock = 0x6469_6765;

    /// <summary>Another session holds the edition's plan lock: a worker that is alive is writing its plan.</summary>
    public bool IsBeingPlanned(int edition) =>
        store.Query("SELECT CASE WHEN pg_try_advisory_lock($1, $2) THEN NOT pg_advisory_unlock($1, $2) ELSE true END",
            r => r.GetBoolean(0), PlanLock, edition).Single();

    /// <summary>COPY is PostgreSQL's bulk load: one stream for a whole part instead of a statement per reader.</summary>
    private static int Copy(NpgsqlConnection connection, List<DeliveryRecord> records, DateTime now)
    {
        using var copy = connection.BeginBinaryImport(
            "COPY deliveries (id, edition, position, email, key, name, categories, time_zone, due_at, state, attempts, runs, deferred_since, last_reply, message_id, relay, updated_at) FROM STDIN (FORMAT BINARY)");
        foreach (var d in records)
        {
            copy.StartRow();
            copy.Write(d.Id, NpgsqlDbType.Bigint);
            copy.Write(d.Edition, NpgsqlDbType.Integer);
            copy.Write((int)(uint)(d.Id & 0xFFFF_FFFF), NpgsqlDbType.Integer);
            copy.Write(d.Email, NpgsqlDbType.Text);
            copy.Write(d.Key, NpgsqlDbType.Text);
            WriteNullable(copy, d.Name, NpgsqlDbType.Text);
            copy.Write(d.Categories.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            WriteNullable(copy, d.TimeZone, NpgsqlDbType.Text);
            copy.Write(PostgreSqlStore.Utc(d.DueAt), NpgsqlDbType.TimestampTz);
            copy.Write(d.State.ToString(), NpgsqlDbType.Text);
            copy.Write(d.Attempts, NpgsqlDbType.Integer);
            copy.Write(d.Runs, NpgsqlDbType.Integer);
            if (d.DeferredSince is { } since) copy.Write(PostgreSqlStore.Utc(since), NpgsqlDbType.TimestampTz);
            else copy.WriteNull();
            WriteNullable(copy, d.LastReply, NpgsqlDbType.Text);
            copy.Write(d.MessageId, NpgsqlDbType.Text);
            WriteNullable(copy, d.Relay, NpgsqlDbType.Text);
            copy.Write(now, NpgsqlDbType.TimestampTz);
        }
        return (int)copy.Complete();
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, type);
    }

    /// <summary>
    /// Claims the edition's pending readers a page at a time, in plan order, and hands them out. When the pages
    /// run out while the plan is still being written, by this worker (<paramref name="planning"/>) or another (its
    /// plan lock), it waits for more. When they run out while other workers still hold claims, it waits for those
    /// to be settled or to expire (their worker died) and takes over what is left, so the edition is finished by
    /// whoever is still running.
    /// </summary>
    public async IAsyncEnumerable<DeliveryRecord> PendingAsync(int edition, DateTime? dueBy = null, int pageSize = 1000, bool deferredNow = false,
        IHeldLease? claimant = null, Task? planning = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Each pass gets a claim of its own: a later pass of this process may take over what an earlier one left
        // (a stopped run), but never what is in flight in this pass.
        var run = $"{Worker} run {Interlocked.Increment(ref _runs)}";
        var after = DeliveryRecord.FirstId(edition) - 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Asked before the claim: a plan that had ended by then is all in the page or before it. A worker that
            // joined an edition whose plan another worker is writing has no plan task: it asks the plan lock, or it
            // would stop (and report readers left) as soon as it caught up with the part stored so far.
            var planned = planning?.IsCompleted ?? !IsBeingPlanned(edition);
            var page = await ClaimAsync(edition, after, dueBy, pageSize, deferredNow, run, claimant?.Token, cancellationToken);
            if (page.Count > 0)
            {
                after = page[^1].Id;
                foreach (var d in page) yield return d;
                continue;
            }
            if (!planned)
            {
                // Sending caught up with the plan being written: look again when it has stored more.
                await (planning is null ? Task.Delay(PlanPoll, cancellationToken) : Task.WhenAny(planning, Task.Delay(PlanPoll, cancellationToken)));
                continue;
            }
            // This pass is over; readers it skipped were claimed by other workers, which may since have died.
            if (await SecondsUntilOtherClaimsExpireAsync(edition, dueBy, deferredNow, cancellationToken) is not { } seconds) yield break;
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 0.05, 1)), cancellationToken);
            after = DeliveryRecord.FirstId(edition) - 1;
        }
    }

    private int _runs;

    private static readonly TimeSpan PlanPoll = TimeSpan.FromMilliseconds(20);

    private const string PendingCondition = """
        edition = $1 AND (
            (state = 'Planned' AND ($2::timestamptz IS NULL OR due_at <= $2))
            OR (state = 'Deferred' AND ($3 OR $2::timestamptz IS NULL OR due_at <= $2)))
        """;

    /// <summary>A claim another worker may take: none, or one whose slot is gone or expired (whose expiry passed, when made without a slot).</summary>
    private const string ClaimIsFree = """
        (claimed_by IS NULL
            OR (claim_token IS NULL AND claim_expires < now())
            OR (claim_token IS NOT NULL AND NOT EXISTS (SELECT 1 FROM senders s WHERE s.token = claim_token AND s.expires_at > now())))
        """;

    private async Task<List<DeliveryRecord>> ClaimAsync(int edition, long after, DateTime? dueBy, int pageSize, bool deferredNow, string run, long? slot, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var claim = PostgreSqlStore.Command(connection, null, $"""
            WITH page AS (
                SELECT id FROM deliveries
                WHERE {PendingCondition} AND id > $4
                    AND ({ClaimIsFree} OR (starts_with(claimed_by, $8) AND claimed_by <> $6))
                ORDER BY id LIMIT $5
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d SET claimed_by = $6, claim_expires = now() + $7, claim_token = $9
            FROM page WHERE d.id = page.id
            RETURNING {string.Join(", ", Columns.Split(", ").Select(c => "d." + c))}
            """,
            edition, PostgreSqlStore.Time(dueBy), deferredNow, after, pageSize, run, ClaimDuration, Worker, Token(slot));
        var page = new List<DeliveryRecord>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) page.Add(Read(reader));
        page.Sort((a, b) => a.Id.CompareTo(b.Id));
        return page;
    }

    private static NpgsqlParameter Token(long? slot) => new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = slot is { } t ? t : DBNull.Value };

    /// <summary>
    /// Seconds (by the server's clock) until the first claim of another process on the edition's pending readers runs
    /// out, or its slot expires (a slot still renewed is asked about again within a second); null when there is none.
    /// </summary>
    private async Task<double?> SecondsUntilOtherClaimsExpireAsync(int edition, DateTime? dueBy, bool deferredNow, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var query = PostgreSqlStore.Command(connection, null, $"""
            SELECT extract(epoch FROM min(CASE WHEN d.claim_token IS NULL THEN d.claim_expires ELSE coalesce(s.expires_at, now()) END) - now())::float8
            FROM deliveries d LEFT JOIN senders s ON s.token = d.claim_token
            WHERE {PendingCondition} AND d.claimed_by IS NOT NULL AND NOT starts_with(d.claimed_by, $4)
            """,
            edition, PostgreSqlStore.Time(dueBy), deferredNow, Worker);
        return await query.ExecuteScalarAsync(cancellationToken) is double seconds ? seconds : null;
    }

    /// <summary>Along the index of pending readers, stopping at the first planned one.</summary>
    public bool AnyPlanned(int edition) =>
        store.Query("SELECT EXISTS (SELECT 1 FROM deliveries WHERE edition = $1 AND state = 'Planned')", r => r.GetBoolean(0), edition).Single();

    public int Due(int edition, DateTime now, bool deferredNow = false) =>
        store.Query($"SELECT count(*)::int FROM deliveries WHERE {PendingCondition}", r => r.GetInt32(0), edition, PostgreSqlStore.Time(now), deferredNow).Single();

    public void Restore(IReadOnlyCollection<DeliveryRecord> refused, DateTime since, string reason)
    {
        if (refused.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        store.InTransaction((connection, transaction) =>
        {
            using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var d in refused)
            {
                d.State = DeliveryState.Planned;
                d.LastReply = $"{reason} (was: {d.LastReply})";
                d.UpdatedAt = now;
                Add(batch, "UPDATE deliveries SET state = 'Planned', last_reply = $2, updated_at = $3, claimed_by = NULL, claim_expires = NULL, claim_token = NULL WHERE id = $1",
                    d.Id, d.LastReply, now);
                Add(batch, "DELETE FROM suppressions WHERE email = $1 AND reason = 'HardBounce' AND at >= $2", d.Key, since);
            }
            batch.ExecuteNonQuery();
            return 0;
        });
    }

    /// <summary>The batch's outcomes as one round trip in one transaction: one commit for many messages.</summary>
    public void Record(IReadOnlyCollection<DeliveryRecord> outcomes)
    {
        if (outcomes.Count == 0) return;
        store.InTransaction((connection, transaction) =>
        {
            using var batch = Outcomes(connection, transaction, outcomes, slot: null, out _);
            batch.ExecuteNonQuery();
            return 0;
        });
    }

    /// <param name="slot">Set: each reader's outcome is written only while their claim carries this slot's token (the fence, in the database).</param>
    /// <param name="updates">The outcomes' updates, in their order: one that changed no row was not written (the reader is another's now).</param>
    internal NpgsqlBatch Outcomes(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<DeliveryRecord> outcomes, long? slot,
        out IReadOnlyList<NpgsqlBatchCommand> updates)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new NpgsqlBatch(connection, transaction);
        var written = new List<NpgsqlBatchCommand>(outcomes.Count);
        foreach (var d in outcomes)
        {
            d.UpdatedAt = now;
            written.Add(Add(batch, """
                UPDATE deliveries SET state = $2, attempts = $3, runs = $4, deferred_since = $5, last_reply = $6, message_id = $7,
                    relay = $8, due_at = $9, updated_at = $10, claimed_by = NULL, claim_expires = NULL, claim_token = NULL
                WHERE id = $1 AND ($11::bigint IS NULL OR claim_token = $11)
                """,
                d.Id, d.State.ToString(), d.Attempts, d.Runs, PostgreSqlStore.Time(d.DeferredSince), PostgreSqlStore.Text(d.LastReply), d.MessageId,
                PostgreSqlStore.Text(d.Relay), d.DueAt, now, Token(slot)));
            if (d.State == DeliveryState.Bounced)
                Add(batch, "INSERT INTO suppressions (email, reason, detail, at) VALUES ($1, 'HardBounce', $2, $3) ON CONFLICT (email) DO NOTHING",
                    d.Key, $"edition {d.Edition}: {d.LastReply}", now);
        }
        updates = written;
        return batch;
    }

    private static NpgsqlBatchCommand Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(PostgreSqlStore.Parameter(value));
        batch.BatchCommands.Add(command);
        return command;
    }

    public IOutcomeRecorder OpenRecorder(IHeldLease lease) => new PostgreSqlOutcomeRecorder(store, this, lease);

    /// <summary>Nothing to recover: an outcome is durable here once its transaction commits, before the sender is told.</summary>
    public int RecoverOutcomes() => 0;

    public DeliveryRecord? Find(int edition, string email) =>
        store.Query($"SELECT {Columns} FROM deliveries WHERE key = $1 AND edition = $2", Read, email.ToLowerInvariant(), edition).FirstOrDefault();

    public DeliveryRecord? Find(long id) => store.Query($"SELECT {Columns} FROM deliveries WHERE id = $1", Read, id).SingleOrDefault();

    public DeliveryRecord? FindByMessageId(string messageId) =>
        store.Query($"SELECT {Columns} FROM deliveries WHERE message_id = $1 AND message_id <> '' LIMIT 1", Read, messageId).SingleOrDefault();

    public HashSet<string> Bounced(int edition) =>
        store.Query("SELECT key FROM deliveries WHERE edition = $1 AND state = 'Bounced'", r => r.GetString(0), edition).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<DeliveryRecord> ForEdition(int edition) =>
        store.Query($"SELECT {Columns} FROM deliveries WHERE edition = $1 ORDER BY id", Read, edition);

    public EditionCounts Count(int edition)
    {
        var counts = store.Query("SELECT state, count(*)::int FROM deliveries WHERE edition = $1 GROUP BY state",
            r => (State: Enum.Parse<DeliveryState>(r.GetString(0)), Count: r.GetInt32(1)), edition).ToDictionary(c => c.State, c => c.Count);
        int Of(DeliveryState s) => counts.GetValueOrDefault(s);
        return new EditionCounts(Of(DeliveryState.Planned), Of(DeliveryState.Sent), Of(DeliveryState.Deferred), Of(DeliveryState.Bounced), Of(DeliveryState.Skipped), Of(DeliveryState.Failed));
    }

    public IReadOnlyDictionary<string, int> SentByRelay(int edition) =>
        store.Query("SELECT coalesce(relay, '?'), count(*)::int FROM deliveries WHERE edition = $1 AND state = 'Sent' GROUP BY 1",
            r => (Relay: r.GetString(0), Count: r.GetInt32(1)), edition).ToDictionary(r => r.Relay, r => r.Count);

    public IReadOnlyList<(string Zone, int Count, DateTime Next)> Waiting(int edition, DateTime now) =>
        store.Query("""
            SELECT coalesce(time_zone, '(no zone)'), count(*)::int, min(due_at) FROM deliveries
            WHERE edition = $1 AND state = 'Planned' AND due_at > $2 GROUP BY 1 ORDER BY 3
            """, r => (r.GetString(0), r.GetInt32(1), r.GetDateTime(2)), edition, now);

    /// <summary>Each old complete edition's counts and the deletion of its records in one transaction: PostgreSQL needs no chunking for that.</summary>
    public IReadOnlyList<int> Fold(int keep)
    {
        var editions = new PostgreSqlEditionStore(store);
        if (editions.Latest() is not { } latest || latest.Number <= keep) return [];
        var oldestKept = latest.Number - keep + 1;
        var folded = new List<int>();
        foreach (var edition in store.Query($"SELECT {PostgreSqlEditionStore.Columns} FROM editions WHERE number < $1 AND completed_at IS NOT NULL ORDER BY number",
                     PostgreSqlEditionStore.Read, oldestKept))
        {
            var first = edition.Folded is null;
            if (first)
            {
                var c = Count(edition.Number);
                edition.Folded = new FoldedDeliveries
                {
                    Planned = c.Planned, Sent = c.Sent, Deferred = c.Deferred, Bounced = c.Bounced, Skipped = c.Skipped, Failed = c.Failed,
                    SentByRelay = SentByRelay(edition.Number).ToDictionary(),
                    FoldedAt = clock.GetUtcNow().UtcDateTime,
                };
            }
            store.InTransaction((connection, transaction) =>
            {
                if (first) PostgreSqlEditionStore.Save(connection, transaction, edition);
                using var delete = PostgreSqlStore.Command(connection, transaction, "DELETE FROM deliveries WHERE edition = $1", edition.Number);
                return delete.ExecuteNonQuery();
            });
            if (first) folded.Add(edition.Number);
        }
        return folded;
    }

    internal static DeliveryRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Edition = r.GetInt32(1),
        Email = r.GetString(2),
        Key = r.GetString(3),
        Name = PostgreSqlStore.NullableString(r, 4),
        Categories = [.. r.GetFieldValue<string[]>(5)],
        TimeZone = PostgreSqlStore.NullableString(r, 6),
        DueAt = r.GetDateTime(7),
        State = Enum.Parse<DeliveryState>(r.GetString(8)),
        Attempts = r.GetInt32(9),
        Runs = r.GetInt32(10),
        DeferredSince = PostgreSqlStore.NullableTime(r, 11),
        LastReply = PostgreSqlStore.NullableString(r, 12),
        MessageId = r.GetString(13),
        Relay = PostgreSqlStore.NullableString(r, 14),
        UpdatedAt = r.GetDateTime(15),
    };
}
