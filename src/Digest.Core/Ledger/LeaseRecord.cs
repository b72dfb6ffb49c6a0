namespace Digest.Ledger;

/// <summary>The sender lease as the store keeps it.</summary>
public sealed class LeaseRecord
{
    public string Id { get; set; } = "";

    /// <summary>Empty (read back as null: LiteDB's mapper turns empty strings into null) when released.</summary>
    public string? Holder { get; set; }

    /// <summary>The fencing token, raised on every acquisition; only the holder of the current token may send.</summary>
    public long Token { get; set; }
    public DateTime ExpiresAt { get; set; }
    public string Machine { get; set; } = "";
    public int ProcessId { get; set; }
    public DateTime? ProcessStartedAt { get; set; }
}
