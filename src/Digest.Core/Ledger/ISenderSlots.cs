namespace Digest.Ledger;

/// <summary>
/// The right to send from a store, as the pipeline asks for it. A store that one process sends from (a LiteDB
/// file) has one slot: the exclusive, fenced sender lease. A store that several workers share (PostgreSQL) gives
/// each worker a slot of its own, renewed while it sends: the readers it claims carry its slot's token, a slot
/// that is not renewed expires and its claims go to the others, and its outcomes are written only for readers
/// whose claim still carries its token.
/// </summary>
public interface ISenderSlots
{
    /// <summary>True when several processes may each hold a slot and send their share of one edition at once.</summary>
    bool Shared { get; }

    /// <summary>Takes a slot, or returns null and names who holds the only one (<paramref name="heldBy"/>).</summary>
    ISenderSlot? TryTake(out string? heldBy);
}

/// <summary>A slot this process holds: renewed until disposed, given up when disposed.</summary>
public interface ISenderSlot : IHeldLease, IDisposable
{
    /// <summary>
    /// Held while this process chooses, plans or completes an edition, or writes its archive page: one process
    /// at a time across the store, so an edition is planned once and the others see it and join its sending.
    /// </summary>
    IDisposable Decide();
}
