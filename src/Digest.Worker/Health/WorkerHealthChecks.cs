using System.Net.Sockets;
using Digest.Editions;
using Digest.Storage;
using Digest.Transport;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace Digest.Worker.Health;

/// <summary>Liveness: the Quartz scheduler runs. A worker whose scheduler stopped sends nothing and should be restarted.</summary>
public sealed class SchedulerCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var status = await scheduler.GetStatus(cancellationToken);
        return status == SchedulerStatus.Running
            ? HealthCheckResult.Healthy("the schedule is running")
            : HealthCheckResult.Unhealthy($"the scheduler is {status.ToString().ToLowerInvariant()}: nothing will be sent");
    }
}

/// <summary>The store answers a read; a store that cannot be read can neither send nor record.</summary>
public sealed class StoreCheck(IEditionStore editions, IOptions<DigestOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var unfinished = editions.Unfinished();
            return Task.FromResult(HealthCheckResult.Healthy(unfinished is null ? "readable" : $"readable; edition {unfinished.Number} is unfinished"));
        }
        catch (Exception e) when (StoreFailure.Is(e) || e is UnauthorizedAccessException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{options.Value.Store.Path} cannot be read: {e.Message}"));
        }
    }
}

/// <summary>
/// The last scheduled run: degraded when it did not complete or left due readers unsent. Degraded, not
/// unhealthy: the worker is still right to keep serving unsubscribes and to try again on the next run.
/// </summary>
public sealed class LastRunCheck(LastRun lastRun) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lastRun.Latest switch
        {
            null => HealthCheckResult.Healthy("no run since the worker started"),
            { Completed: true } r => HealthCheckResult.Healthy($"{r.At:u}: {r.Summary}"),
            var r => HealthCheckResult.Degraded($"{r.At:u}: {r.Summary}"),
        });
}

/// <summary>
/// Each SMTP relay accepts a TCP connection. Degraded, not unhealthy: a relay that is down now may be back by
/// the next run, failover may cover it, and restarting the worker would not bring it back.
/// </summary>
public sealed class RelayCheck(RelaySet relays) : IHealthCheck
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = new List<string>();
        var up = new List<string>();
        foreach (var relay in relays.All)
        {
            if (relay.Transport is not SmtpTransport smtp) continue;
            var (host, port) = smtp.Endpoint;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, timeout.Token);
                up.Add(relay.Name);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                down.Add($"{relay.Name} ({host}:{port}) {(e is SocketException s ? s.Message : $"no answer in {ConnectTimeout.TotalSeconds:0}s")}");
            }
        }
        if (down.Count > 0) return HealthCheckResult.Degraded($"unreachable: {string.Join("; ", down)}");
        return HealthCheckResult.Healthy(up.Count == 0 ? "no SMTP relay (outbox)" : $"reachable: {string.Join(", ", up)}");
    }
}
