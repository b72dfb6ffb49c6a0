namespace Digest.Scheduling;

/// <summary>When the weekly schedule last fired, kept in the store so a worker that was down catches up once.</summary>
public interface IScheduleRecord
{
    /// <summary>The last fire time (UTC), or null on a store the schedule never fired on.</summary>
    DateTime? LastFire();

    /// <summary>Records a fire (replaces the previous one).</summary>
    void Fired(DateTimeOffset at);

    /// <summary>
    /// Records <paramref name="fire"/> only if it is later than the recorded fire, atomically; true when this call
    /// recorded it. Of several workers that find the same run missed, the one whose claim lands catches it up.
    /// </summary>
    bool Claim(DateTimeOffset fire);
}
