using Digest.Ledger;
using Digest.Bounces;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Digest.Storage.PostgreSql;


/// <summary>Bounce and complaint reports in PostgreSQL; the report and the suppression it causes in one transaction.</summary>
public sealed class PostgreSqlBounceLedger(PostgreSqlStore store, IOptions<DigestOptions> options, TimeProvider clock) : IBounceLedger
{
    private const string Columns = "id, delivery_id, edition, email, kind, status, detail, received_at, recorded_at, unverified";

    public BounceOutcome Record(string reportId, DeliveryReport report, DeliveryRecord delivery, DateTime receivedAt, bool verified = true) =>
        store.InTransaction((connection, transaction) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            using (var insert = PostgreSqlStore.Command(connection, transaction,
                       $"INSERT INTO bounces ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
                       reportId, delivery.Id, delivery.Edition, delivery.Key, report.Kind.ToString(), report.Status, PostgreSqlStore.Text(report.Detail), receivedAt, now, !verified))
                if (insert.ExecuteNonQuery() == 0) return new BounceOutcome(true, false, 0);
            if (!verified) return new BounceOutcome(false, false, 0, Unverified: true);
            var what = $"edition {delivery.Edition}: {string.Join(' ', new[] { report.Status, report.Detail }.Where(p => !string.IsNullOrEmpty(p)))}";
            bool Suppress(SuppressionReason reason, string detail)
            {
                using var add = PostgreSqlStore.Command(connection, transaction,
                    "INSERT INTO suppressions (email, reason, detail, at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING", delivery.Key, reason.ToString(), detail, now);
                return add.ExecuteNonQuery() == 1;
            }
            switch (report.Kind)
            {
                case ReportKind.HardBounce: return new BounceOutcome(false, Suppress(SuppressionReason.HardBounce, what), 0);
                case ReportKind.Complaint: return new BounceOutcome(false, Suppress(SuppressionReason.Complaint, what), 0);
                default:
                    var streak = SoftStreak(connection, transaction, delivery.Key);
                    var suppressed = streak >= options.Value.Bounces.SoftBounceLimit
                                     && Suppress(SuppressionReason.SoftBounces, $"{streak} editions in a row bounced softly; last {what}");
                    return new BounceOutcome(false, suppressed, streak);
            }
        });

    public int SoftStreak(string email)
    {
        using var connection = store.DataSource.OpenConnection();
        return SoftStreak(connection, null, email.ToLowerInvariant());
    }

    /// <summary>Editions sent to the address in a row, back from the newest that bounced, that bounced too.</summary>
    private static int SoftStreak(NpgsqlConnection connection, NpgsqlTransaction? transaction, string key)
    {
        var bounced = PostgreSqlStore.Query(connection, transaction,
            "SELECT DISTINCT edition FROM bounces WHERE email = $1 AND kind <> 'Complaint' AND NOT unverified", r => r.GetInt32(0), key).ToHashSet();
        if (bounced.Count == 0) return 0;
        var sent = PostgreSqlStore.Query(connection, transaction,
            "SELECT edition FROM deliveries WHERE key = $1 AND state = 'Sent' AND edition <= $2 ORDER BY edition DESC", r => r.GetInt32(0), key, bounced.Max());
        return sent.TakeWhile(bounced.Contains).Count();
    }

    public BounceCounts Count(int edition)
    {
        var counts = store.Query("SELECT kind, count(DISTINCT email)::int FROM bounces WHERE edition = $1 AND NOT unverified GROUP BY kind",
            r => (Kind: Enum.Parse<ReportKind>(r.GetString(0)), Count: r.GetInt32(1)), edition).ToDictionary(c => c.Kind, c => c.Count);
        return new BounceCounts(counts.GetValueOrDefault(ReportKind.HardBounce), counts.GetValueOrDefault(ReportKind.SoftBounce), counts.GetValueOrDefault(ReportKind.Complaint));
    }

    public IReadOnlyList<BounceRecord> ForAddress(string email) =>
        store.Query($"SELECT {Columns} FROM bounces WHERE email = $1 ORDER BY edition, received_at", r => new BounceRecord
        {
            Id = r.GetString(0),
            DeliveryId = r.GetInt64(1),
            Edition = r.GetInt32(2),
            Email = r.GetString(3),
            Kind = Enum.Parse<ReportKind>(r.GetString(4)),
            Status = r.GetString(5),
            Detail = PostgreSqlStore.NullableString(r, 6),
            ReceivedAt = r.GetDateTime(7),
            RecordedAt = r.GetDateTime(8),
            Unverified = r.GetBoolean(9),
        }, email.ToLowerInvariant());
}
