namespace Digest.Subscribers;

/// <summary>An address that gets nothing, whatever the subscriber file says.</summary>
public sealed class Suppression
{
    /// <summary>Lower-cased address.</summary>
    public string Email { get; set; } = "";
    public SuppressionReason Reason { get; set; }
    public string? Detail { get; set; }
    public DateTime At { get; set; }
}

public enum SuppressionReason
{
    Unsubscribed,
    HardBounce,
    Complaint,
    /// <summary>Bounced softly (4.x.x) in Digest:Bounces:SoftBounceLimit editions in a row.</summary>
    SoftBounces,
}
