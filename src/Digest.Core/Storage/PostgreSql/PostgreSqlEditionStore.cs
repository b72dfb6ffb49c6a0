using Digest.Comparisons;
using Digest.Editions;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>Editions in PostgreSQL; an edition's comparisons are kept as a jsonb copy, as they were when it was made.</summary>
public sealed class PostgreSqlEditionStore(PostgreSqlStore store) : IEditionStore
{
    internal const string Columns = "number, cut_off, previous_cut_off, created_at, completed_at, comparisons, left_out, transport, transport_description, folded, planning";

    public Edition? Latest() => store.Query($"SELECT {Columns} FROM editions ORDER BY number DESC LIMIT 1", Read).SingleOrDefault();

    public Edition? Find(int number) => store.Query($"SELECT {Columns} FROM editions WHERE number = $1", Read, number).SingleOrDefault();

    public Edition? Unfinished() => Open().FirstOrDefault();

    public IReadOnlyList<Edition> Open() => store.Query($"SELECT {Columns} FROM editions WHERE completed_at IS NULL ORDER BY number", Read);

    public IReadOnlyList<Edition> Recent(int count) => store.Query($"SELECT {Columns} FROM editions ORDER BY number DESC LIMIT $1", Read, count);

    public void Save(Edition edition) => store.InTransaction((connection, transaction) =>
    {
        Save(connection, transaction, edition);
        return 0;
    });

    internal static void Save(NpgsqlConnection connection, NpgsqlTransaction transaction, Edition e)
    {
        using var upsert = PostgreSqlStore.Command(connection, transaction, $"""
            INSERT INTO editions ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (number) DO UPDATE SET cut_off = excluded.cut_off, previous_cut_off = excluded.previous_cut_off,
                created_at = excluded.created_at, completed_at = excluded.completed_at, comparisons = excluded.comparisons,
                left_out = excluded.left_out, transport = excluded.transport, transport_description = excluded.transport_description,
                folded = excluded.folded, planning = excluded.planning
            """,
            e.Number, e.CutOff, PostgreSqlStore.Time(e.PreviousCutOff), e.CreatedAt, PostgreSqlStore.Time(e.CompletedAt),
            PostgreSqlStore.Json(e.Comparisons), e.LeftOut, PostgreSqlStore.Text(e.Transport?.ToString()), PostgreSqlStore.Text(e.TransportDescription),
            PostgreSqlStore.Json(e.Folded), e.Planning);
        upsert.ExecuteNonQuery();
    }

    internal static Edition Read(NpgsqlDataReader r) => new()
    {
        Number = r.GetInt32(0),
        CutOff = r.GetDateTime(1),
        PreviousCutOff = PostgreSqlStore.NullableTime(r, 2),
        CreatedAt = r.GetDateTime(3),
        CompletedAt = PostgreSqlStore.NullableTime(r, 4),
        Comparisons = PostgreSqlStore.FromJson<List<Comparison>>(r, 5),
        LeftOut = r.GetInt32(6),
        Transport = r.IsDBNull(7) ? null : Enum.Parse<EditionTransport>(r.GetString(7)),
        TransportDescription = PostgreSqlStore.NullableString(r, 8),
        Folded = r.IsDBNull(9) ? null : PostgreSqlStore.FromJson<FoldedDeliveries>(r, 9),
        Planning = r.GetBoolean(10),
    };
}
