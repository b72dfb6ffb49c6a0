using Digest.Transport;
using Microsoft.Extensions.Logging;

namespace Digest.Dispatch;

/// <summary>Which relay carries traffic now: the first that is not resting after a failure.</summary>
internal sealed class RelayRouting(IReadOnlyList<Relay> relays, TimeProvider clock, TimeSpan retryAfter, ILogger log)
{
    // UTC ticks until which each relay rests; read on every message, so without a lock.
    private readonly long[] _downUntil = new long[relays.Count];

    public bool HasFallback(int index) => index < relays.Count - 1;

    public bool HasFallbacks => relays.Count > 1;

    public bool IsActive(int index)
    {
        if (relays.Count == 1) return true;
        var now = clock.GetUtcNow().UtcTicks;
        // The last relay is never rested: with every other one down, it is the way out.
        for (var i = 0; i < relays.Count - 1; i++)
            if (Volatile.Read(ref _downUntil[i]) <= now) return i == index;
        return index == relays.Count - 1;
    }

    public void MarkDown(int index, string reason)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var current = Volatile.Read(ref _downUntil[index]);
        // Only the first connection to see the failure rests the relay and says so.
        if (current > now || Interlocked.CompareExchange(ref _downUntil[index], now + retryAfter.Ticks, current) != current) return;
        log.LogWarning(DispatchEvents.RelayFailover, "Relay {Relay} is failing ({Reason}); its traffic moves to {Next} and it is tried again in {RetryAfter}",
            relays[index].Name, reason, relays[index + 1].Name, retryAfter);
    }
}
