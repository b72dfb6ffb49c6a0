using Digest.Delivery;

namespace Digest.Worker.Cli;

/// <summary>Progress of a send for the admin watching it: periodic plain lines on stderr.</summary>
public static class SendProgress
{
    public static async Task<T> TrackAsync<T>(CliContext context, DispatchCounters counters, Task<T> sending)
    {
        var started = DateTime.UtcNow;
        while (await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(5))) != sending)
        {
            var rate = counters.Done / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
            await context.Error.WriteLineAsync(
                $"progress: {counters.Done}/{counters.Total} ({counters.Sent} sent, {counters.Deferred} deferred, {counters.Bounced} bounced, {counters.Skipped} skipped) {rate:0}/s");
        }
        return await sending;
    }
}
