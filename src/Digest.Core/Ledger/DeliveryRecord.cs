using Digest.Transport;

namespace Digest.Ledger;

/// <summary>One recipient of one edition in the delivery ledger.</summary>
public sealed class DeliveryRecord
{
    /// <summary>
    /// <c>edition &lt;&lt; 32 | position in the plan</c>: numeric so that one edition's deliveries are one
    /// contiguous range of the primary index, which the sender pages through without loading them all.
    /// </summary>
    public long Id { get; set; }
    public int Edition { get; set; }
    public string Email { get; set; } = "";
    public string? Name { get; set; }
    public List<string> Categories { get; set; } = [];

    /// <summary>The reader's IANA time zone, when they gave one.</summary>
    public string? TimeZone { get; set; }

    /// <summary>
    /// Not sent before this time (UTC): the reader's local morning, or when the edition was planned; for a
    /// deferred reader, when their backoff ends.
    /// </summary>
    public DateTime DueAt { get; set; }
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }

    /// <summary>How many runs tried this recipient and got a reply about them (relay failures do not count); sets the backoff.</summary>
    public int Runs { get; set; }

    /// <summary>When the reader was first deferred (UTC); Digest:Delivery:GiveUpAfter later a deferral becomes Failed.</summary>
    public DateTime? DeferredSince { get; set; }

    /// <summary>The last SMTP reply (or outbox file) for this recipient, for an admin reading `status`.</summary>
    public string? LastReply { get; set; }
    public string MessageId { get; set; } = "";

    /// <summary>The relay that accepted the message.</summary>
    public string? Relay { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Lower-cased address, indexed.</summary>
    public string Key { get; set; } = "";

    public static long IdFor(int edition, int position) => ((long)edition << 32) | (uint)position;

    /// <summary>The position in the plan that <see cref="IdFor"/> put in an id.</summary>
    public static int PositionOf(long id) => (int)(uint)id;

    public static long FirstId(int edition) => IdFor(edition, 0);

    public static long EndId(int edition) => IdFor(edition + 1, 0);
}

public enum DeliveryState
{
    /// <summary>Planned and not yet accepted by the server.</summary>
    Planned,
    /// <summary>Accepted by the SMTP server (or written to the outbox).</summary>
    Sent,
    /// <summary>Failed transiently past the retry budget; tried again when its backoff ends (<see cref="DeliveryRecord.DueAt"/>).</summary>
    Deferred,
    /// <summary>Refused permanently (5xx to RCPT); the address is suppressed.</summary>
    Bounced,
    /// <summary>Not sent on purpose: suppressed, or nothing in the edition matches their categories.</summary>
    Skipped,
    /// <summary>Deferred for longer than Digest:Delivery:GiveUpAfter, or its message refused for good (not suppressed).</summary>
    Failed,
}
