using Quartz;

namespace Digest.Worker.Scheduling;

/// <summary>Says at start-up where the schedule lives and, when it is shared, which node this worker is, so fires in the log can be matched to machines.</summary>
public sealed class ScheduleNode(ISchedulerFactory schedulers, ILogger<ScheduleNode> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            var metadata = await scheduler.GetMetadata(cancellationToken);
            if (metadata.JobStoreClustered)
                log.LogInformation(WorkerEvents.ScheduleShared, "The schedule is shared through the PostgreSQL store: this worker is cluster node {Node}; each run fires on one node", scheduler.SchedulerInstanceId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while starting (SIGTERM right after launch): a line about the schedule is not worth failing the stop for.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
