using Digest.Comparisons;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>Comparisons in PostgreSQL, keyed by slug; tools and reviews as jsonb.</summary>
public sealed class PostgreSqlComparisonStore(PostgreSqlStore store) : IComparisonStore
{
    private const string Columns = "slug, title, question, url, published_at, tools, reviews, edition_number";

    public int Upsert(IReadOnlyCollection<Comparison> comparisons) => store.InTransaction((connection, transaction) =>
    {
        foreach (var c in comparisons)
        {
            // A comparison that already went out keeps its edition: importing a fixed file again must not send it twice.
            using var upsert = PostgreSqlStore.Command(connection, transaction, $"""
                INSERT INTO comparisons ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
                ON CONFLICT (slug) DO UPDATE SET title = excluded.title, question = excluded.question, url = excluded.url,
                    published_at = excluded.published_at, tools = excluded.tools, reviews = excluded.reviews
                RETURNING edition_number
                """,
                c.Slug, c.Title, c.Question, c.Url, c.PublishedAt, PostgreSqlStore.Json(c.Tools), PostgreSqlStore.Json(c.Reviews));
            c.EditionNumber = upsert.ExecuteScalar() is int edition ? edition : null;
        }
        return comparisons.Count;
    });

    public Comparison? Find(string slug) => store.Query($"SELECT {Columns} FROM comparisons WHERE slug = $1", Read, slug).SingleOrDefault();

    public int Count() => store.Query("SELECT count(*)::int FROM comparisons", r => r.GetInt32(0)).Single();

    public IReadOnlyList<string> Categories() =>
        [.. store.Query("SELECT DISTINCT t->>'Category' FROM comparisons CROSS JOIN LATERAL jsonb_array_elements(tools) AS t WHERE coalesce(t->>'Category', '') <> ''",
                r => r.GetString(0))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];

    public IReadOnlyList<Comparison> Waiting(DateTime until, DateTime notBefore, int limit) =>
        store.Query($"SELECT {Columns} FROM comparisons WHERE edition_number IS NULL AND published_at <= $1 AND published_at >= $2 ORDER BY published_at DESC LIMIT $3",
            Read, until, notBefore, limit);

    public int CountWaiting(DateTime until, DateTime notBefore) =>
        store.Query("SELECT count(*)::int FROM comparisons WHERE edition_number IS NULL AND published_at <= $1 AND published_at >= $2", r => r.GetInt32(0), until, notBefore).Single();

    public int CountStale(DateTime notBefore) =>
        store.Query("SELECT count(*)::int FROM comparisons WHERE edition_number IS NULL AND published_at < $1", r => r.GetInt32(0), notBefore).Single();

    /// <summary>Marks each comparison copied into a stored edition with the first such edition; one statement, nothing to do on a store made by this code.</summary>
    public void MarkEarlierEditions() => store.Execute("""
        UPDATE comparisons c SET edition_number = m.number
        FROM (SELECT x->>'Slug' AS slug, min(e.number) AS number FROM editions e, jsonb_array_elements(e.comparisons) x GROUP BY 1) m
        WHERE c.slug = m.slug AND c.edition_number IS NULL
        """);

    /// <summary>Records that these comparisons went out in the edition, inside the transaction that stores it.</summary>
    internal static void MarkIn(NpgsqlConnection connection, NpgsqlTransaction transaction, int edition, IEnumerable<string> slugs)
    {
        using var mark = PostgreSqlStore.Command(connection, transaction,
            "UPDATE comparisons SET edition_number = $1 WHERE slug = ANY($2) AND edition_number IS NULL", edition, slugs.ToArray());
        mark.ExecuteNonQuery();
    }

    public ImportedFile? FindImported(string path) =>
        store.Query("SELECT path, sha256, imported_at FROM imported_files WHERE path = $1",
            r => new ImportedFile { Path = r.GetString(0), Sha256 = r.GetString(1), ImportedAt = r.GetDateTime(2) }, path).SingleOrDefault();

    public void SaveImported(ImportedFile file) =>
        store.Execute("INSERT INTO imported_files (path, sha256, imported_at) VALUES ($1, $2, $3) ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, imported_at = excluded.imported_at",
            file.Path, file.Sha256, file.ImportedAt);

    private static Comparison Read(NpgsqlDataReader r) => new()
    {
        Slug = r.GetString(0),
        Title = r.GetString(1),
        Question = r.GetString(2),
        Url = r.GetString(3),
        PublishedAt = r.GetDateTime(4),
        Tools = PostgreSqlStore.FromJson<List<Tool>>(r, 5),
        Reviews = PostgreSqlStore.FromJson<List<Review>>(r, 6),
        EditionNumber = r.IsDBNull(7) ? null : r.GetInt32(7),
    };
}
