using Digest.Ledger;

namespace Digest.Bounces;

/// <summary>
/// The bounces and complaints of every edition, and the suppressions they cause: a hard bounce or a complaint at
/// once, soft bounces after Digest:Bounces:SoftBounceLimit editions in a row. Unverified reports are kept for a
/// human and neither suppress nor count.
/// </summary>
public interface IBounceLedger
{
    /// <summary>Records the report about <paramref name="delivery"/> and suppresses if it calls for it, in one transaction; a report id seen before changes nothing (<see cref="BounceOutcome.Duplicate"/>).</summary>
    BounceOutcome Record(string reportId, DeliveryReport report, DeliveryRecord delivery, DateTime receivedAt, bool verified = true);

    /// <summary>
    /// How many editions sent to the address in a row, back from the newest one that bounced softly, bounced too
    /// (verified hard or soft bounces); an edition that went out without a bounce ends the run.
    /// </summary>
    int SoftStreak(string email);

    /// <summary>Distinct addresses per kind of verified report for the edition.</summary>
    BounceCounts Count(int edition);

    /// <summary>Every report about the address (any case), by edition then arrival.</summary>
    IReadOnlyList<BounceRecord> ForAddress(string email);
}
