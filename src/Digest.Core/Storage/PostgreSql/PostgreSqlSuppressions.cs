using Digest.Subscribers;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>Suppressions in PostgreSQL, keyed by lower-cased address; the first reason recorded stays.</summary>
public sealed class PostgreSqlSuppressions(PostgreSqlStore store, TimeProvider clock) : ISuppressions
{
    public bool Contains(string email) =>
        store.Query("SELECT 1 FROM suppressions WHERE email = $1", _ => true, email.ToLowerInvariant()).Count > 0;

    public HashSet<string> Addresses() =>
        store.Query("SELECT email FROM suppressions", r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<string> AddedSince(DateTime since) =>
        store.Query("SELECT email FROM suppressions WHERE at >= $1", r => r.GetString(0), since);

    public IReadOnlyList<Suppression> All() =>
        store.Query("SELECT email, reason, detail, at FROM suppressions ORDER BY email", Read);

    public bool Add(string email, SuppressionReason reason, string? detail = null) =>
        store.Execute("INSERT INTO suppressions (email, reason, detail, at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
            email.ToLowerInvariant(), reason.ToString(), PostgreSqlStore.Text(detail), clock.GetUtcNow().UtcDateTime) == 1;

    public bool Remove(string email) => store.Execute("DELETE FROM suppressions WHERE email = $1", email.ToLowerInvariant()) == 1;

    internal static Suppression Read(NpgsqlDataReader r) => new()
    {
        Email = r.GetString(0),
        Reason = Enum.Parse<SuppressionReason>(r.GetString(1)),
        Detail = PostgreSqlStore.NullableString(r, 2),
        At = r.GetDateTime(3),
    };
}
