namespace Digest.Ledger;

/// <summary>
/// The one record of the sender lease, read and written atomically. The fencing logic (who may take it, how
/// long a renewal is trusted, stopping when it is lost) is <c>SenderLease</c>'s; the store only keeps the
/// record and guarantees that a take, a renewal and a release each see and change it in one step.
/// </summary>
public interface ISenderLeaseStore
{
    /// <summary>
    /// In one atomic step: reads the current record; when there is none, or <paramref name="canTake"/> says the
    /// current one may be taken over, writes <paramref name="take"/>(token) with token = the current record's
    /// token + 1 (1 when there is none). The token outlives a release, so it only ever grows.
    /// </summary>
    /// <returns>Whether it was taken, the token written, and the record found before (null when none).</returns>
    LeaseTake TryTake(Func<LeaseRecord, bool> canTake, Func<long, LeaseRecord> take);

    /// <summary>Replaces the record with <paramref name="renewed"/> if the current one has the same holder and token; false otherwise (taken over).</summary>
    bool TryRenew(LeaseRecord renewed);

    /// <summary>Empties the holder and expiry of the record if it is still <paramref name="holder"/>'s with <paramref name="token"/>; keeps the token.</summary>
    void Release(string holder, long token);

    /// <summary>The current record, or null when the lease was never taken.</summary>
    LeaseRecord? Current();
}

public sealed record LeaseTake(bool Taken, long Token, LeaseRecord? Previous);

/// <summary>What a dispatch asks of the lease it holds: the token it was given, and whether it still has it.</summary>
public interface IHeldLease
{
    /// <summary>The fencing token: raised on every take-over of the lease.</summary>
    long Token { get; }

    /// <summary>False once another process has taken the lease over: send nothing more, write no outcome.</summary>
    bool IsHeld { get; }
}
