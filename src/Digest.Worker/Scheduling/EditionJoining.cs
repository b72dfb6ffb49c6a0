using Digest.Ledger;

namespace Digest.Worker.Scheduling;

/// <summary>
/// On a store several workers share, every Digest:Delivery:JoinInterval, joins an edition another worker is
/// sending (or one a worker that died left): the schedule fires on one worker only, and the others would otherwise
/// sit idle while it sends alone. On a store with one sender (LiteDB) it does nothing.
/// </summary>
public sealed class EditionJoining(ISenderSlots slots, DigestRun run, IOptions<DigestOptions> options, ILogger<EditionJoining> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!slots.Shared) return;
        using var timer = new PeriodicTimer(options.Value.Delivery.JoinInterval);
        // A look at start, then every interval: a worker started beside an edition in progress helps at once.
        do
        {
            try
            {
                await run.JoinAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (CliErrors.IsExpected(e) || Storage.StoreFailure.Is(e))
            {
                // The worker keeps looking; the next look may find the store back, or the edition finished by the others.
                log.LogError(WorkerEvents.JoinFailed, "Could not join the edition being sent: {Reason}", CliErrors.IsExpected(e) ? CliErrors.Describe(e) : e.Message);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }
}
