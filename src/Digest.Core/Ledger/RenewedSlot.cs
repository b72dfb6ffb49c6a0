using System.Diagnostics;
using Digest.Storage;

namespace Digest.Ledger;

/// <summary>
/// A sender slot that renews itself in the background and is trusted without asking the store for two thirds of
/// its duration after a renewal began, on both the monotonic clock (a SIGSTOP advances it) and the wall clock (a
/// suspended machine's jumps on resume); asking <see cref="IsHeld"/> costs two clock reads while the last renewal
/// is recent, and a read of the store when it is not. The store's part (renew, give up, log the loss) is the
/// subclass's: LiteDB's one lease and PostgreSQL's row per worker share this fencing logic.
/// </summary>
public abstract class RenewedSlot : ISenderSlot
{
    private readonly TimeProvider _clock;
    private readonly ITimer _renewal;
    private readonly TimeSpan _trusted;
    private long _trustedUntilTimestamp;
    private long _trustedUntilUtcTicks;
    private int _lost;

    protected RenewedSlot(TimeProvider clock, long token, TimeSpan duration, DateTime takenAt, long takenTimestamp)
    {
        _clock = clock;
        Token = token;
        Duration = duration;
        _trusted = duration * 2 / 3;
        Trust(takenAt, takenTimestamp);
        _renewal = clock.CreateTimer(_ => RenewInBackground(), null, duration / 3, duration / 3);
    }

    /// <summary>The fencing token: raised on every take-over.</summary>
    public long Token { get; }

    protected TimeSpan Duration { get; }

    /// <summary>False once another process has taken the slot's readers over: send nothing more, write no outcome.</summary>
    public bool IsHeld
    {
        get
        {
            if (Volatile.Read(ref _lost) == 1) return false;
            if (Stopwatch.GetTimestamp() < Volatile.Read(ref _trustedUntilTimestamp)
                && _clock.GetUtcNow().UtcTicks < Volatile.Read(ref _trustedUntilUtcTicks)) return true;
            return Renew();
        }
    }

    public abstract IDisposable Decide();

    /// <summary>Extends the slot in the store if it is still this one's; false when it was taken over or expired.</summary>
    protected abstract bool TryRenew(DateTime now);

    /// <summary>Says, once, that the slot was lost and why.</summary>
    protected abstract void LogLost();

    /// <summary>Says that a renewal in the background could not reach the store (the senders ask again before their next message).</summary>
    protected abstract void LogNotRenewed(Exception e);

    /// <summary>Gives the slot up in the store, so the others need not wait for it to expire.</summary>
    protected abstract void Release();

    /// <summary>Says that giving up failed: the slot expires by itself after <see cref="Duration"/>.</summary>
    protected abstract void LogNotReleased(Exception e);

    private bool Renew()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var started = Stopwatch.GetTimestamp();
        if (TryRenew(now))
        {
            Trust(now, started);
            return true;
        }
        if (Interlocked.Exchange(ref _lost, 1) == 0) LogLost();
        return false;
    }

    private void RenewInBackground()
    {
        if (Volatile.Read(ref _lost) == 1) return;
        try
        {
            Renew();
        }
        catch (Exception e) when (StoreFailure.Is(e))
        {
            LogNotRenewed(e);
        }
    }

    private void Trust(DateTime from, long fromTimestamp)
    {
        Volatile.Write(ref _trustedUntilUtcTicks, (from + _trusted).Ticks);
        Volatile.Write(ref _trustedUntilTimestamp, fromTimestamp + (long)(_trusted.TotalSeconds * Stopwatch.Frequency));
    }

    public void Dispose()
    {
        _renewal.Dispose();
        try
        {
            Release();
        }
        catch (Exception e) when (StoreFailure.Is(e))
        {
            // A store that cannot be written (a full disk) must not hide why the run failed.
            LogNotReleased(e);
        }
        GC.SuppressFinalize(this);
    }
}
