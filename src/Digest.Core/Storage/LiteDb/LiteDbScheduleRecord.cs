using Digest.Scheduling;

namespace Digest.Storage.LiteDb;

/// <summary>The schedule's last fire, one document in the store.</summary>
public sealed class LiteDbScheduleRecord(LiteDbStore store) : IScheduleRecord
{
    public DateTime? LastFire() => store.Schedule.FindById("schedule")?.LastFireAt;

    public void Fired(DateTimeOffset at) => store.Schedule.Upsert(new ScheduleRecord { LastFireAt = at.UtcDateTime });
}
