using Digest.Scheduling;

namespace Digest.Storage.LiteDb;

/// <summary>The schedule's last fire, one document in the store.</summary>
public sealed class LiteDbScheduleRecord(LiteDbStore store) : IScheduleRecord
{
    public DateTime? LastFire() => store.Schedule.FindById("schedule")?.LastFireAt;

    public void Fired(DateTimeOffset at) => store.Schedule.Upsert(new ScheduleRecord { LastFireAt = at.UtcDateTime });

    // Only catch-up claims, and on LiteDB one worker runs the schedule: a look and a write under this lock suffice.
    private readonly Lock _claim = new();

    public bool Claim(DateTimeOffset fire)
    {
        lock (_claim)
        {
            if (LastFire() is { } last && last >= fire.UtcDateTime) return false;
            Fired(fire);
            return true;
        }
    }
}
