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
            if (current is not null && current.Holder != _holder && current.ExpiresAt > now) return false;
            store.Leases.Upsert(new LeaseRecord { Id = Id, Holder = _holder, ExpiresAt = now + duration });
            return true;
        });
        heldBy = taken ? null : $"{current!.Holder}, until {current.ExpiresAt:u}";
        if (!taken) return null;
        if (current is not null && current.Holder != _holder)
            log.LogWarning("Took over the sender lease of {Holder}, which expired at {ExpiresAt:u}", current.Holder, current.ExpiresAt);
        return new Handle(this, duration);
    }

    private void Renew(TimeSpan duration) => store.InTransaction(() =>
    {
        var current = store.Leases.FindById(Id);
        if (current?.Holder == _holder)
            store.Leases.Update(new LeaseRecord { Id = Id, Holder = _holder, ExpiresAt = _clock.GetUtcNow().UtcDateTime + duration });
    });

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
}

/// <summary>Another process holds the sender lease on this store.</summary>
public sealed class SenderBusyException(string heldBy)
    : Exception($"Another Digest process is sending from this store ({heldBy}); not sending twice. Try again when it is done.");
