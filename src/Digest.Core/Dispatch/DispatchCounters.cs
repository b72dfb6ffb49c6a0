using Digest.Ledger;

namespace Digest.Dispatch;

/// <summary>Live counts of one dispatch, safe to read from another thread (a progress bar).</summary>
public sealed class DispatchCounters
{
    private int _sent, _deferred, _bounced, _skipped, _failed;

    public int Total { get; set; }
    public int Sent => Volatile.Read(ref _sent);
    public int Deferred => Volatile.Read(ref _deferred);
    public int Bounced => Volatile.Read(ref _bounced);
    public int Skipped => Volatile.Read(ref _skipped);
    public int Failed => Volatile.Read(ref _failed);
    public int Done => Sent + Deferred + Bounced + Skipped + Failed;

    public void Count(DeliveryState state)
    {
        switch (state)
        {
            case DeliveryState.Sent: Interlocked.Increment(ref _sent); break;
            case DeliveryState.Deferred: Interlocked.Increment(ref _deferred); break;
            case DeliveryState.Bounced: Interlocked.Increment(ref _bounced); break;
            case DeliveryState.Skipped: Interlocked.Increment(ref _skipped); break;
            case DeliveryState.Failed: Interlocked.Increment(ref _failed); break;
        }
    }
}
