using Digest.Editions;
using Digest.Ledger;
using Quartz;

namespace Digest.Worker.Scheduling;

/// <summary>
/// At start-up, runs the digest once if the schedule fired while the worker was down, or if an edition was
/// left unfinished by a crash. One run, however many weeks were missed: never two editions back to back.
/// Workers sharing a PostgreSQL store that start together claim the missed run in the store: one catches it up.
/// </summary>
public sealed class CatchUp(ISchedulerFactory schedulers, ScheduleLog schedule, NextEdition next, ISenderSlots slots, ILogger<CatchUp> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var previous = schedule.PreviousRun();
        var last = schedule.LastFire();
        string? reason = null;
        // Only readers still planned make an edition unfinished here: deferred ones wait for the tick and their backoff.
        if (next.Unfinished() is { } unfinished)
        {
            if (previous is { } fire) schedule.Claim(fire);
            if (slots.Shared)
            {
                // On a shared store another worker may be sending it right now: that is no missed run, and
                // running the job here could draft the next edition once this one ends. Joining sends a share.
                log.LogInformation(WorkerEvents.JoiningUnfinished, "Edition {Edition} is unfinished at start-up: another worker may be sending it, or one that stopped left it; this worker joins it", unfinished.Number);
                return;
            }
            reason = $"edition {unfinished.Number} was left unfinished";
        }
        else if (last is null)
            // First start on this store: nothing was missed, the schedule starts from now.
            schedule.Fired(previous ?? DateTimeOffset.UtcNow);
        else if (previous is { } p && p.UtcDateTime > last.Value)
        {
            if (!schedule.Claim(p))
            {
                log.LogInformation(WorkerEvents.CaughtUpElsewhere, "The run scheduled for {Fire:u} was missed while no worker was up; it is caught up by another worker", p);
                return;
            }
            reason = $"the run scheduled for {p:u} was missed while the worker was down";
        }
        else
            log.LogInformation(WorkerEvents.NothingToCatchUp, "Nothing to catch up: the last scheduled run fired at {Fire:u}", new DateTimeOffset(last.Value, TimeSpan.Zero));

        if (reason is null) return;
        log.LogInformation(WorkerEvents.CatchingUp, "Catching up now: {Reason}", reason);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(DigestJob.Key, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
