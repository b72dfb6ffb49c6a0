namespace Digest.Bounces;

/// <summary>One bounce or complaint that arrived in the bounce mailbox, tied to the delivery it is about.</summary>
public sealed class BounceRecord
{
    /// <summary>The report's own Message-ID (or a hash of it): a report read twice is recorded once.</summary>
    public string Id { get; set; } = "";
    public long DeliveryId { get; set; }
    public int Edition { get; set; }

    /// <summary>Lower-cased address of the delivery, indexed.</summary>
    public string Email { get; set; } = "";
    public ReportKind Kind { get; set; }
    public string Status { get; set; } = "";
    public string? Detail { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime RecordedAt { get; set; }

    /// <summary>
    /// Matched neither by a signed return path nor by a signed Message-ID, so it may be forged: kept for a
    /// human, never a reason to suppress and not counted. Records from before this field read as false.
    /// </summary>
    public bool Unverified { get; set; }
}

/// <summary>What recording one report did.</summary>
public sealed record BounceOutcome(bool Duplicate, bool Suppressed, int SoftStreak, bool Unverified = false);

public sealed record BounceCounts(int HardBounces, int SoftBounces, int Complaints)
{
    public int Total => HardBounces + SoftBounces + Complaints;
}
