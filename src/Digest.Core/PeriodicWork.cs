namespace Digest;

public static class PeriodicWork
{
    /// <summary>The next tick, or false once the service is stopping (rather than an exception on shutdown).</summary>
    public static async Task<bool> NextTickAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
