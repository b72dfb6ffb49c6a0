namespace Digest.Ledger;

/// <summary>How many of an edition's readers are in each state.</summary>
public sealed record EditionCounts(int Planned, int Sent, int Deferred, int Bounced, int Skipped, int Failed)
{
    public int Total => Planned + Sent + Deferred + Bounced + Skipped + Failed;

    /// <summary>Recipients that still have to get the edition.</summary>
    public int Undelivered => Planned + Deferred;
}
