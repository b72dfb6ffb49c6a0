using Digest.Ledger;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>
/// The sender lease as one row whose token (the fencing token) only grows. A take, a renewal and a release
/// each lock the row (SELECT … FOR UPDATE) and change it in one transaction, so two workers on two machines
/// never both see the lease free. Sending does not take it on PostgreSQL, where every worker holds a slot of its
/// own (<see cref="PostgreSqlSenderSlots"/>); it is the exclusive lease for whoever needs one sender only.
/// </summary>
public sealed class PostgreSqlSenderLeaseStore(PostgreSqlStore store) : ISenderLeaseStore
{
    private const string Id = "sender";
    private const string Columns = "id, holder, token, expires_at, machine, process_id, process_started_at";

    public LeaseTake TryTake(Func<LeaseRecord, bool> canTake, Func<long, LeaseRecord> take) =>
        store.InTransaction((connection, transaction) =>
        {
            // A row with token 0 stands for "never taken": with the row always there, the lock below serialises
            // the very first take too (two inserts of a missing row would not wait for each other).
            using (var seed = PostgreSqlStore.Command(connection, transaction,
                       "INSERT INTO leases (id, token, expires_at, machine, process_id) VALUES ($1, 0, '-infinity', '', 0) ON CONFLICT (id) DO NOTHING", Id))
                seed.ExecuteNonQuery();
            var current = PostgreSqlStore.Query(connection, transaction, $"SELECT {Columns} FROM leases WHERE id = $1 FOR UPDATE", Read, Id).Single();
            var previous = current.Token == 0 ? null : current;
            if (previous is not null && !canTake(previous)) return new LeaseTake(false, previous.Token, previous);
            var token = current.Token + 1;
            Write(connection, transaction, take(token), token);
            return new LeaseTake(true, token, previous);
        });

    public bool TryRenew(LeaseRecord renewed) =>
        store.InTransaction((connection, transaction) =>
        {
            using var update = PostgreSqlStore.Command(connection, transaction,
                "UPDATE leases SET expires_at = $3, machine = $4, process_id = $5, process_started_at = $6 WHERE id = $1 AND holder = $2 AND token = $7",
                Id, renewed.Holder, renewed.ExpiresAt, renewed.Machine, renewed.ProcessId, PostgreSqlStore.Time(renewed.ProcessStartedAt), renewed.Token);
            return update.ExecuteNonQuery() == 1;
        });

    public void Release(string holder, long token) =>
        store.Execute("UPDATE leases SET holder = NULL, expires_at = '-infinity' WHERE id = $1 AND holder = $2 AND token = $3", Id, holder, token);

    public LeaseRecord? Current() =>
        store.Query($"SELECT {Columns} FROM leases WHERE id = $1 AND token > 0", Read, Id).SingleOrDefault();

    private static void Write(NpgsqlConnection connection, NpgsqlTransaction transaction, LeaseRecord record, long token)
    {
        using var update = PostgreSqlStore.Command(connection, transaction,
            "UPDATE leases SET holder = $2, token = $3, expires_at = $4, machine = $5, process_id = $6, process_started_at = $7 WHERE id = $1",
            Id, PostgreSqlStore.Text(record.Holder), token, record.ExpiresAt, record.Machine, record.ProcessId, PostgreSqlStore.Time(record.ProcessStartedAt));
        update.ExecuteNonQuery();
    }

    private static LeaseRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Holder = PostgreSqlStore.NullableString(r, 1),
        Token = r.GetInt64(2),
        ExpiresAt = r.GetFieldValue<DateTime>(3),
        Machine = r.GetString(4),
        ProcessId = r.GetInt32(5),
        ProcessStartedAt = PostgreSqlStore.NullableTime(r, 6),
    };
}
