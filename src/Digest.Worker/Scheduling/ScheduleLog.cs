using Digest.Scheduling;
using Quartz;

namespace Digest.Worker.Scheduling;

/// <summary>
/// When the schedule last fired, kept in the store. Quartz's in-memory store forgets a fire that fell while
/// the worker was down (it rebuilds the trigger from now), so catch-up comes from this record.
/// </summary>
public sealed class ScheduleLog(IScheduleRecord record, IOptions<DigestOptions> options, TimeProvider clock)
{
    public CronExpression Cron()
    {
        var s = options.Value.Schedule;
        DigestOptionsValidator.TryFindTimeZone(s.TimeZone, out var zone);
        return new CronExpression(s.QuartzCron, zone);
    }

    public DateTimeOffset? NextRun() => Cron().GetNextValidTimeAfter(clock.GetUtcNow());

    /// <summary>The latest scheduled time at or before now, looking back up to a year.</summary>
    public DateTimeOffset? PreviousRun()
    {
        var cron = Cron();
        var now = clock.GetUtcNow();
        DateTimeOffset? previous = null;
        for (var t = cron.GetNextValidTimeAfter(now.AddDays(-366)); t is { } fire && fire <= now; t = cron.GetNextValidTimeAfter(fire))
            previous = fire;
        return previous;
    }

    public DateTime? LastFire() => record.LastFire();

    public void Fired(DateTimeOffset at) => record.Fired(at);

    /// <summary>Records a missed run as fired unless another worker already did; true when this worker is to catch it up.</summary>
    public bool Claim(DateTimeOffset fire) => record.Claim(fire);
}
