using System.Diagnostics;
using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Ledger;

/// <summary>
/// Only one process sends from a store at a time: the sender holds a lease in the store, renews it while it
/// sends and gives it up when done. A holder that died stops renewing and its lease expires. Every take-over
/// raises the lease's fencing token, so a holder that was paused past its lease (a container pause, a VM
/// suspend, a long stall) finds on resuming that the token is no longer its own and stops before it sends again.
/// The sender slots of a store that one process sends from (LiteDB): the one slot is this lease.
/// </summary>
public sealed class SenderLease(ISenderLeaseStore store, IOptions<DigestOptions> options, TimeProvider clock, ILogger<SenderLease> log) : ISenderSlots
{
    public bool Shared => false;

    public ISenderSlot? TryTake(out string? heldBy) => TryAcquire(out heldBy);

    private readonly TimeProvider _clock = clock;
    private readonly ILogger _log = log;
    private readonly string _holder = $"{Environment.MachineName} pid {Environment.ProcessId} #{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Takes the lease, or returns null and names the current holder when another process has it.</summary>
    public Handle? TryAcquire(out string? heldBy)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var started = Stopwatch.GetTimestamp();
        var duration = options.Value.Delivery.LeaseDuration;
        var take = store.TryTake(current => !IsHeldByAnother(current, now), token => Record(now + duration, token));
        var current = take.Previous;
        heldBy = take.Taken ? null : $"{current!.Holder}, until {current.ExpiresAt:u}";
        if (!take.Taken) return null;
        var token = take.Token;
        if (!string.IsNullOrEmpty(current?.Holder) && current.Holder != _holder)
            log.LogWarning(LeaseEvents.LeaseTakenOver, "Took over the sender lease of {Holder} (expired at {ExpiresAt:u}, or that process is gone); fencing token {Token}", current.Holder, current.ExpiresAt, token);
        return new Handle(this, token, duration, now, started);
    }

    private bool IsHeldByAnother(LeaseRecord current, DateTime now) =>
        !string.IsNullOrEmpty(current.Holder) && current.Holder != _holder && current.ExpiresAt > now && !HolderIsGone(current);

    /// <summary>Extends the lease if it is still ours (same holder, same token); false when another process took it over.</summary>
    private bool TryRenew(long token, DateTime expiresAt) => store.TryRenew(Record(expiresAt, token));

    private string? CurrentHolder()
    {
        try
        {
            return store.Current()?.Holder;
        }
        catch (Exception e) when (StoreFailure.Is(e))
        {
            return null;
        }
    }

    private LeaseRecord Record(DateTime expiresAt, long token) => new()
    {
        Holder = _holder,
        Token = token,
        ExpiresAt = expiresAt,
        Machine = Environment.MachineName,
        ProcessId = Environment.ProcessId,
        ProcessStartedAt = ProcessStartedAt(Environment.ProcessId),
    };

    /// <summary>
    /// A holder on this machine whose process no longer runs (killed, crashed) holds nothing: its lease need
    /// not run out before the next run resumes. The start time guards against a reused process id.
    /// </summary>
    private static bool HolderIsGone(LeaseRecord lease) => ProcessIsGone(lease.Machine, lease.ProcessId, lease.ProcessStartedAt);

    /// <summary>Whether process <paramref name="processId"/> of <paramref name="machine"/>, started at <paramref name="startedAt"/>, is known to run no more (only this machine's can be told).</summary>
    internal static bool ProcessIsGone(string machine, int processId, DateTime? startedAt) =>
        machine == Environment.MachineName && processId > 0
        && ProcessStartedAt(processId) is var started
        // The store keeps milliseconds; a process started a second apart is another process.
        && (started is null || startedAt is null || (started.Value - startedAt.Value).Duration() > TimeSpan.FromSeconds(1));

    internal static DateTime? ProcessStartedAt(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Gives the lease up, keeping its token so the next holder's is higher.</summary>
    private void Release(long token) => store.Release(_holder, token);

    /// <summary>The held lease; renews itself until disposed.</summary>
    public sealed class Handle(SenderLease lease, long token, TimeSpan duration, DateTime takenAt, long takenTimestamp)
        : RenewedSlot(lease._clock, token, duration, takenAt, takenTimestamp)
    {
        /// <summary>Nothing to wait for: holding the only slot, this process is the only one deciding.</summary>
        public override IDisposable Decide() => NoOne.Waits;

        protected override bool TryRenew(DateTime now) => lease.TryRenew(Token, now + Duration);

        protected override void LogLost() =>
            lease._log.LogError(LeaseEvents.LeaseLost, "Lost the sender lease (fencing token {Token}) to {Holder}: this process was paused or stalled longer than Digest:Delivery:LeaseDuration ({Duration}); it stops sending at once",
                Token, lease.CurrentHolder() ?? "another process", Duration);

        protected override void LogNotRenewed(Exception e) =>
            lease._log.LogWarning(LeaseEvents.LeaseNotRenewed, "Could not renew the sender lease: {Reason}", e.Message);

        protected override void Release() => lease.Release(Token);

        protected override void LogNotReleased(Exception e) =>
            lease._log.LogWarning(LeaseEvents.LeaseNotReleased, "Could not release the sender lease; it expires by itself after {Duration}: {Reason}", Duration, e.Message);
    }
}

/// <summary>Another process holds the sender lease on this store.</summary>
public sealed class SenderBusyException(string heldBy)
    : Exception($"Another Digest process is sending from this store ({heldBy}); not sending twice. Try again when it is done.");

/// <summary>This process lost the sender lease while sending (it was paused past it) and stopped.</summary>
public sealed class SenderLeaseLostException(int edition)
    : Exception($"Stopped sending edition {edition}: another Digest process took over the sender lease while this one was paused or stalled longer than Digest:Delivery:LeaseDuration. That process finishes the edition; nothing is sent twice beyond the messages that were in flight.");

/// <summary>A decision no other process can be making at the same time: nothing to release.</summary>
internal sealed class NoOne : IDisposable
{
    public static readonly NoOne Waits = new();

    public void Dispose()
    {
    }
}
