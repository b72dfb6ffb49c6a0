using Quartz;

namespace Digest.Worker.Scheduling;

/// <summary>The weekly digest as a Quartz job: thin, one call into the pipeline, never two at once.</summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DigestRun run, ScheduleLog schedule, Health.LastRun lastRun, ILogger<DigestJob> log) : IJob
{
    public static readonly JobKey Key = new("weekly-digest", "digest");

    /// <summary>The tick that sends readers whose local morning has come or whose deferral backoff ended; it never starts an edition.</summary>
    public static readonly TriggerKey LocalTimeTick = new("local-time-tick", "digest");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var tick = context.Trigger.Key.Equals(LocalTimeTick);
        if (!tick)
        {
            var fire = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
            // Names the worker: with a shared schedule an admin reads here which machine took this week's run.
            log.LogInformation(WorkerEvents.ScheduledRunFired, "Scheduled run of {Fire:O} fired on {Node}", fire, context.Scheduler.SchedulerInstanceId);
            schedule.Fired(fire);
        }
        try
        {
            var outcome = await run.SendAsync(null, cancellationToken, resumeOnly: tick);
            if (outcome.Undelivered && !tick)
                log.LogWarning(WorkerEvents.ScheduledRunUnfinished, "Edition {Edition} has {Count} recipients still to send; they go out on the next run", outcome.Edition, outcome.Counts!.Undelivered);
            if (outcome.Undelivered && !tick)
                lastRun.Failed($"edition {outcome.Edition} has {outcome.Counts!.Undelivered} recipients still to send; they go out on the next run");
            else if (!tick || outcome.Counts is not null)
                lastRun.Completed(outcome.Counts is { } c ? $"edition {outcome.Edition}: {c.Sent} sent" : "nothing new to send");
        }
        catch (Exception e) when (CliErrors.IsExpected(e))
        {
            lastRun.Failed($"the run did not complete: {CliErrors.Describe(e)}");
            // The worker keeps its schedule; the admin reads why this run did nothing in the log.
            log.LogError(WorkerEvents.ScheduledRunFailed, "The digest run did not complete: {Reason}", CliErrors.Describe(e));
        }
    }
}
