namespace Digest.Scheduling;

/// <summary>When the weekly schedule last fired, kept in the store so a worker that was down catches up once.</summary>
public interface IScheduleRecord
{
    /// <summary>The last fire time (UTC), or null on a store the schedule never fired on.</summary>
    DateTime? LastFire();

    /// <summary>Records a fire (replaces the previous one).</summary>
    void Fired(DateTimeOffset at);
}
