using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

/// <summary>
/// Only one process sends from a store at a time: the sender holds a lease in the store, renews it while it
/// sends and gives it up when done. A holder that died stops renewing and its lease expires.
/// </summary>
public sealed class SenderLease(DigestStore store, IOptions<DigestOptions> options, TimeProvider clock, ILogger<SenderLease> log)
{
    private readonly TimeProvider _clock = clock;
    private const string Id = "sender";
    private readonly string _holder = $"{Environment.MachineName} pid {Environment.ProcessId} #{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Takes the lease, or returns null and names the current holder when another process has it.</summary>
    public Handle? TryAcquire(out string? heldBy)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var duration = options.Value.Delivery.LeaseDuration;
        LeaseRecord? current = null;
        var taken = store.InTransaction(() =>
        {
            current = store.Leases.FindById(Id);
            if (current is not null && current.Holder != _holder && current.ExpiresAt > now && !HolderIsGone(current)) return false;
            store.Leases.Upsert(Record(now + duration));
            return true;
        });
        heldBy = taken ? null : $"{current!.Holder}, until {current.ExpiresAt:u}";
        if (!taken) return null;
        if (current is not null && current.Holder != _holder)
            log.LogWarning("Took over the sender lease of {Holder} (expired at {ExpiresAt:u}, or that process is gone)", current.Holder, current.ExpiresAt);
        return new Handle(this, duration);
    }

    private void Renew(TimeSpan duration) => store.InTransaction(() =>
    {
        var current = store.Leases.FindById(Id);
        if (current?.Holder == _holder)
            store.Leases.Update(Record(_clock.GetUtcNow().UtcDateTime + duration));
    });

    private LeaseRecord Record(DateTime expiresAt) => new()
    {
        Id = Id,
        Holder = _holder,
        ExpiresAt = expiresAt,
        Machine = Environment.MachineName,
        ProcessId = Environment.ProcessId,
        ProcessStartedAt = ProcessStartedAt(Environment.ProcessId),
    };

    /// <summary>
    /// A holder on this machine whose process no longer runs (killed, crashed) holds nothing: its lease need
    /// not run out before the next run resumes. The start time guards against a reused process id.
    /// </summary>
    private static bool HolderIsGone(LeaseRecord lease) =>
        lease.Machine == Environment.MachineName && lease.ProcessId > 0
        && ProcessStartedAt(lease.ProcessId) is var started
        // The store keeps milliseconds; a process started a second apart is another process.
        && (started is null || lease.ProcessStartedAt is null || (started.Value - lease.ProcessStartedAt.Value).Duration() > TimeSpan.FromSeconds(1));

    private static DateTime? ProcessStartedAt(int pid)
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

    private void Release() => store.InTransaction(() =>
    {
        if (store.Leases.FindById(Id)?.Holder == _holder) store.Leases.Delete(Id);
    });

    /// <summary>The held lease; renews itself until disposed.</summary>
    public sealed class Handle : IDisposable
    {
        private readonly SenderLease _lease;
        private readonly ITimer _renewal;

        internal Handle(SenderLease lease, TimeSpan duration)
        {
            _lease = lease;
            _renewal = lease._clock.CreateTimer(_ => lease.Renew(duration), null, duration / 3, duration / 3);
        }

        public void Dispose()
        {
            _renewal.Dispose();
            _lease.Release();
        }
    }
}

public sealed class LeaseRecord
{
    public string Id { get; set; } = "";
    public string Holder { get; set; } = "";
    public DateTime ExpiresAt { get; set; }
    public string Machine { get; set; } = "";
    public int ProcessId { get; set; }
    public DateTime? ProcessStartedAt { get; set; }
}

/// <summary>Another process holds the sender lease on this store.</summary>
public sealed class SenderBusyException(string heldBy)
    : Exception($"Another Digest process is sending from this store ({heldBy}); not sending twice. Try again when it is done.");
