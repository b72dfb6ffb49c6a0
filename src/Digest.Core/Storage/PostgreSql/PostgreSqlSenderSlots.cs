using System.Diagnostics;
using Digest.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>
/// A sender slot per worker, as a row of <c>senders</c> whose token (from a sequence, so it only grows) the
/// worker's claims carry. Expiry is by the server's clock, so workers on machines whose clocks differ agree on
/// it. A worker renews its row while it sends; one paused past its expiry finds the row expired on resuming and
/// stops, and whatever it sends then is not recorded for readers another worker has claimed since.
/// </summary>
public sealed class PostgreSqlSenderSlots(PostgreSqlStore store, IOptions<DigestOptions> options, TimeProvider clock, ILogger<PostgreSqlSenderSlots> log) : ISenderSlots
{
    /// <summary>The key of the advisory lock held while an edition is chosen, planned or completed ("digest" + 1).</summary>
    private const long DecisionLock = 0x6469_6765_7374_01;

    private readonly PostgreSqlStore _store = store;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger _log = log;
    private readonly string _holder = $"{Environment.MachineName} pid {Environment.ProcessId} #{Guid.NewGuid().ToString("N")[..8]}";

    public bool Shared => true;

    public ISenderSlot? TryTake(out string? heldBy)
    {
        heldBy = null;
        var duration = options.Value.Delivery.LeaseDuration;
        var started = Stopwatch.GetTimestamp();
        var now = _clock.GetUtcNow().UtcDateTime;
        FreeSlotsOfGoneProcesses();
        var token = _store.InTransaction((connection, transaction) =>
        {
            using var insert = PostgreSqlStore.Command(connection, transaction, """
                INSERT INTO senders (token, holder, expires_at, machine, process_id, process_started_at, taken_at)
                VALUES (nextval('sender_tokens'), $1, now() + $2, $3, $4, $5, now()) RETURNING token
                """, _holder, duration, Environment.MachineName, Environment.ProcessId, PostgreSqlStore.Time(SenderLease.ProcessStartedAt(Environment.ProcessId)));
            return Convert.ToInt64(insert.ExecuteScalar());
        });
        return new Slot(this, token, duration, now, started);
    }

    /// <summary>
    /// Slots of this machine's processes that run no more (killed, crashed) are given up for them: their claims
    /// need not run out before another worker takes their readers. Slots expired long ago are swept away.
    /// </summary>
    private void FreeSlotsOfGoneProcesses()
    {
        var local = _store.Query("SELECT token, process_id, process_started_at FROM senders WHERE machine = $1 AND expires_at > now()",
            r => (Token: r.GetInt64(0), Pid: r.GetInt32(1), Started: PostgreSqlStore.NullableTime(r, 2)), Environment.MachineName);
        var gone = local.Where(s => SenderLease.ProcessIsGone(Environment.MachineName, s.Pid, s.Started)).Select(s => s.Token).ToArray();
        foreach (var token in gone)
            _log.LogWarning(LeaseEvents.SlotOfGoneProcessFreed, "Gave up sender slot {Token} of a process on this machine that is gone; its readers go to the workers still sending", token);
        _store.Execute("DELETE FROM senders WHERE token = ANY($1) OR expires_at < now() - interval '1 day'", gone);
    }

    private bool TryRenew(long token, TimeSpan duration) =>
        _store.Execute("UPDATE senders SET expires_at = now() + $2 WHERE token = $1 AND expires_at > now()", token, duration) == 1;

    /// <summary>A held slot: a row of its own in <c>senders</c>, renewed until disposed.</summary>
    private sealed class Slot(PostgreSqlSenderSlots slots, long token, TimeSpan duration, DateTime takenAt, long takenTimestamp)
        : RenewedSlot(slots._clock, token, duration, takenAt, takenTimestamp)
    {
        protected override bool TryRenew(DateTime now) => slots.TryRenew(Token, Duration);

        protected override void LogLost() =>
            slots._log.LogError(LeaseEvents.SlotExpired, "Sender slot {Token} expired: this process was paused or stalled longer than Digest:Delivery:LeaseDuration ({Duration}) and its readers went to the other workers; it stops sending at once",
                Token, Duration);

        protected override void LogNotRenewed(Exception e) =>
            slots._log.LogWarning(LeaseEvents.SlotNotRenewed, "Could not renew sender slot {Token}: {Reason}", Token, e.Message);

        // Its claims are free at once: the others need not wait for them to expire.
        protected override void Release() => slots._store.Execute("DELETE FROM senders WHERE token = $1", Token);

        protected override void LogNotReleased(Exception e) =>
            slots._log.LogWarning(LeaseEvents.SlotNotReleased, "Could not give up sender slot {Token}; it expires by itself after {Duration}: {Reason}", Token, Duration, e.Message);

        /// <summary>
        /// A session advisory lock on a connection of its own: a worker that dies while deciding loses its session,
        /// and with it the lock, so the others are never held up by it.
        /// </summary>
        public override IDisposable Decide()
        {
            var connection = slots._store.DataSource.OpenConnection();
            try
            {
                using var take = PostgreSqlStore.Command(connection, null, "SELECT pg_advisory_lock($1)", DecisionLock);
                take.ExecuteNonQuery();
                return new Decision(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }

    private sealed class Decision(NpgsqlConnection connection) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                using var release = PostgreSqlStore.Command(connection, null, "SELECT pg_advisory_unlock($1)", DecisionLock);
                release.ExecuteNonQuery();
            }
            catch (Exception e) when (StoreFailure.Is(e))
            {
                // The connection is closed below; the server drops a session's locks with it.
            }
            connection.Dispose();
        }
    }
}
