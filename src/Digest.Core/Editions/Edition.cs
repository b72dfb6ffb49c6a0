using Digest.Comparisons;

namespace Digest.Editions;

/// <summary>
/// One numbered weekly edition: the comparisons published in its window, kept as they were when the
/// edition was made so a resumed send renders exactly what the first recipients got.
/// </summary>
public sealed class Edition
{
    public int Number { get; set; }

    /// <summary>The window's end: comparisons published at or before it belong to this or an earlier edition.</summary>
    public DateTime CutOff { get; set; }

    /// <summary>The window's start (exclusive): the previous edition's cut-off, or null for the first.</summary>
    public DateTime? PreviousCutOff { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public List<Comparison> Comparisons { get; set; } = [];

    /// <summary>Comparisons waiting when the edition was made that the cap left out; they go in a later edition.</summary>
    public int LeftOut { get; set; }

    public bool IsComplete => CompletedAt is not null;

    /// <summary>
    /// True while the edition's plan is still being written: sending starts before the plan is whole. An edition
    /// found so after a crash or a stop has its plan finished before anything else is sent or drafted.
    /// </summary>
    public bool Planning { get; set; }

    /// <summary>
    /// How the edition was started: mailed or written to the outbox. It is finished the same way, so a resume
    /// from a shell without the SMTP settings cannot put half the readers' mail in a folder. Null for editions
    /// made before it was recorded.
    /// </summary>
    public EditionTransport? Transport { get; set; }

    /// <summary>The relays as they were described when the edition was started, for the refusal message.</summary>
    public string? TransportDescription { get; set; }

    /// <summary>Set once the edition's per-reader records were dropped (Digest:Ledger:KeepEditions): what they counted.</summary>
    public FoldedDeliveries? Folded { get; set; }
}

/// <summary>The delivery counts of an edition whose per-reader records are no longer kept.</summary>
public sealed class FoldedDeliveries
{
    public int Planned { get; set; }
    public int Sent { get; set; }
    public int Deferred { get; set; }
    public int Bounced { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }

    /// <summary>Messages each relay accepted.</summary>
    public Dictionary<string, int> SentByRelay { get; set; } = [];
    public DateTime FoldedAt { get; set; }
}

public enum EditionTransport
{
    Smtp,
    Outbox,
}
