using Digest.Scheduling;

namespace Digest.Storage.PostgreSql;

/// <summary>When the weekly schedule last fired, as one row.</summary>
public sealed class PostgreSqlScheduleRecord(PostgreSqlStore store) : IScheduleRecord
{
    public DateTime? LastFire() =>
        store.Query("SELECT last_fire_at FROM schedule WHERE id = 'schedule'", r => (DateTime?)r.GetDateTime(0)).SingleOrDefault();

    public void Fired(DateTimeOffset at) =>
        store.Execute("INSERT INTO schedule (id, last_fire_at) VALUES ('schedule', $1) ON CONFLICT (id) DO UPDATE SET last_fire_at = excluded.last_fire_at", at.UtcDateTime);

    // The row lock makes a second claim of the same fire wait for the first and then find it no longer later.
    public bool Claim(DateTimeOffset fire) =>
        store.Execute(
            "INSERT INTO schedule (id, last_fire_at) VALUES ('schedule', $1) ON CONFLICT (id) DO UPDATE SET last_fire_at = excluded.last_fire_at " +
            "WHERE schedule.last_fire_at < excluded.last_fire_at", fire.UtcDateTime) == 1;
}
