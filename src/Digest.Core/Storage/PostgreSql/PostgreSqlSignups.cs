using Digest.Subscribers;

namespace Digest.Storage.PostgreSql;

/// <summary>Confirmed signups and confirmation-mail counts in PostgreSQL, keyed by lower-cased address.</summary>
public sealed class PostgreSqlSignups(PostgreSqlStore store) : ISignups
{
    public void Save(SignedUpReader reader) =>
        store.Execute("""
            INSERT INTO signups (key, email, name, categories, confirmed_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (key) DO UPDATE SET email = excluded.email, name = excluded.name, categories = excluded.categories, confirmed_at = excluded.confirmed_at
            """,
            reader.Email.ToLowerInvariant(), reader.Email, PostgreSqlStore.Text(reader.Name), reader.Categories.ToArray(), reader.ConfirmedAt);

    public IReadOnlyList<SignedUpReader> All() =>
        store.Query("SELECT key, email, name, categories, confirmed_at FROM signups ORDER BY key", r => new SignedUpReader
        {
            Key = r.GetString(0),
            Email = r.GetString(1),
            Name = PostgreSqlStore.NullableString(r, 2),
            Categories = [.. r.GetFieldValue<string[]>(3)],
            ConfirmedAt = r.GetDateTime(4),
        });

    // One statement: the row lock of the upsert orders two workers counting the same address at once. Requests past
    // the limit are counted too (the count only tells whether this one is within it), and the window is not extended.
    public bool TryCountConfirmationMail(string email, DateTime at, int max, TimeSpan window) =>
        store.Query("""
            INSERT INTO signup_mails AS m (key, window_start, count) VALUES ($1, $2, 1)
            ON CONFLICT (key) DO UPDATE SET
                window_start = CASE WHEN m.window_start <= $3 THEN excluded.window_start ELSE m.window_start END,
                count = CASE WHEN m.window_start <= $3 THEN 1 ELSE m.count + 1 END
            RETURNING count
            """,
            r => r.GetInt32(0), email.ToLowerInvariant(), at, at - window).Single() <= max;
}
