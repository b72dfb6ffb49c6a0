using Microsoft.Extensions.Logging;

namespace Digest.Worker;

/// <summary>
/// Event ids of the log lines about the worker process: start, stop, the schedule, the heartbeat.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class WorkerEvents
{
    /// <summary><c>run</c> started; the line says when the next edition goes.</summary>
    public static readonly EventId WorkerStarted = new(1000, nameof(WorkerStarted));

    /// <summary><c>run</c> stopped (SIGTERM, <c>docker stop</c>, <c>systemctl stop</c>).</summary>
    public static readonly EventId WorkerStopped = new(1001, nameof(WorkerStopped));

    /// <summary>Every command's first line: the settings file, the store and the transport it uses.</summary>
    public static readonly EventId Configuration = new(1002, nameof(Configuration));

    /// <summary>The worker was down when the schedule fired: the missed run goes now.</summary>
    public static readonly EventId CatchingUp = new(1003, nameof(CatchingUp));

    /// <summary>A scheduled run left readers to send; the next run resumes.</summary>
    public static readonly EventId ScheduledRunUnfinished = new(1004, nameof(ScheduledRunUnfinished));

    /// <summary>A scheduled run stopped with an error (the reason is in the line).</summary>
    public static readonly EventId ScheduledRunFailed = new(1005, nameof(ScheduledRunFailed));

    /// <summary>The heartbeat file for <c>digest health</c> cannot be written.</summary>
    public static readonly EventId HeartbeatNotWritten = new(1006, nameof(HeartbeatNotWritten));

    /// <summary>Joining an edition another worker sends stopped with an error (the reason is in the line); the worker looks again.</summary>
    public static readonly EventId JoinFailed = new(1007, nameof(JoinFailed));

    /// <summary>At start (debug): the runtime and the garbage collector's settings in effect, which set how much memory a send takes.</summary>
    public static readonly EventId Runtime = new(1008, nameof(Runtime));

    /// <summary>The weekly trigger fired on this worker; the line names the run and the node, so a shared schedule shows which worker took it.</summary>
    public static readonly EventId ScheduledRunFired = new(1020, nameof(ScheduledRunFired));

    /// <summary>The schedule is shared through the PostgreSQL store; the line names this worker's cluster node.</summary>
    public static readonly EventId ScheduleShared = new(1021, nameof(ScheduleShared));

    /// <summary>A run missed while no worker was up was claimed by another worker, which catches it up.</summary>
    public static readonly EventId CaughtUpElsewhere = new(1022, nameof(CaughtUpElsewhere));

    /// <summary>At start: the last scheduled run fired, nothing was missed.</summary>
    public static readonly EventId NothingToCatchUp = new(1023, nameof(NothingToCatchUp));

    /// <summary>At start on a shared store: an edition is unfinished; the worker joins its sending rather than catching up.</summary>
    public static readonly EventId JoiningUnfinished = new(1024, nameof(JoiningUnfinished));
}
