using Microsoft.Extensions.Logging;

namespace Digest.Ledger;

/// <summary>
/// Event ids of the log lines about the sender lease: one sender per store.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class LeaseEvents
{
    /// <summary>The lease of a sender that died or expired was taken over.</summary>
    public static readonly EventId LeaseTakenOver = new(2200, nameof(LeaseTakenOver));

    /// <summary>This sender lost its lease to another (it was paused too long): it stops.</summary>
    public static readonly EventId LeaseLost = new(2201, nameof(LeaseLost));

    /// <summary>The lease could not be renewed; retried.</summary>
    public static readonly EventId LeaseNotRenewed = new(2202, nameof(LeaseNotRenewed));

    /// <summary>The lease could not be released; it expires by itself.</summary>
    public static readonly EventId LeaseNotReleased = new(2203, nameof(LeaseNotReleased));

    /// <summary>PostgreSQL: the sender slot of a process on this machine that is gone was given up; its readers go to the others.</summary>
    public static readonly EventId SlotOfGoneProcessFreed = new(2204, nameof(SlotOfGoneProcessFreed));

    /// <summary>PostgreSQL: this worker's sender slot expired (it was paused too long) and its readers went to the others: it stops.</summary>
    public static readonly EventId SlotExpired = new(2205, nameof(SlotExpired));

    /// <summary>PostgreSQL: the sender slot could not be renewed; retried.</summary>
    public static readonly EventId SlotNotRenewed = new(2206, nameof(SlotNotRenewed));

    /// <summary>PostgreSQL: the sender slot could not be given up; it expires by itself.</summary>
    public static readonly EventId SlotNotReleased = new(2207, nameof(SlotNotReleased));
}
