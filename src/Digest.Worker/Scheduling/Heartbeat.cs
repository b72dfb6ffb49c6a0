using Quartz;

namespace Digest.Worker.Scheduling;

/// <summary>
/// Touches Digest:Health:HeartbeatPath while the scheduler is running, for `digest health` (the container's
/// HEALTHCHECK). A file rather than a port: the check then needs no listener and no access to the store.
/// </summary>
public sealed class Heartbeat(ISchedulerFactory schedulers, IOptions<DigestOptions> options, ILogger<Heartbeat> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var health = options.Value.Health;
        using var timer = new PeriodicTimer(health.HeartbeatInterval);
        // Asked once: after Quartz has shut its scheduler down, GetScheduler would quietly create a new one, unstarted,
        // under the same name in Quartz's process-wide repository, where the next host would find it.
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        // Beat once at start: Quartz starts its scheduler only after the host has started, and a worker that has
        // just come up must not be reported unhealthy for its first interval. If the scheduler never runs, the
        // beats stop here and the heartbeat goes stale as it should.
        await BeatAsync(health.HeartbeatPath, stoppingToken);
        while (await timer.NextTickAsync(stoppingToken))
        {
            var status = await scheduler.GetStatus(stoppingToken);
            // A scheduler that is not running sends nothing: let the heartbeat go stale so the container is restarted.
            if (status != SchedulerStatus.Running) continue;
            await BeatAsync(health.HeartbeatPath, stoppingToken);
        }
    }

    private async Task BeatAsync(string path, CancellationToken stoppingToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, DateTime.UtcNow.ToString("O") + Environment.NewLine, stoppingToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning(WorkerEvents.HeartbeatNotWritten, "Cannot write the heartbeat {Path}: {Reason}", path, e.Message);
        }
    }
}
