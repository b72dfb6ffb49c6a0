using Microsoft.Extensions.Logging;

namespace Digest.Editions;

/// <summary>
/// Event ids of the log lines about an edition's run: chosen, planned, sent, completed.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class EditionEvents
{
    /// <summary>No comparison waits for an edition: no edition.</summary>
    public static readonly EventId NothingToSend = new(2000, nameof(NothingToSend));

    /// <summary>A new edition planned: its comparisons, recipients and transport.</summary>
    public static readonly EventId EditionPlanned = new(2001, nameof(EditionPlanned));

    /// <summary>An unfinished edition resumed: how many readers are left.</summary>
    public static readonly EventId EditionResumed = new(2002, nameof(EditionResumed));

    /// <summary>The totals of a run: sent, deferred, bounced, skipped, failed, left, time.</summary>
    public static readonly EventId EditionRunSummary = new(2003, nameof(EditionRunSummary));

    /// <summary>Where the outbox's <c>.eml</c> files of the edition went.</summary>
    public static readonly EventId OutboxWritten = new(2004, nameof(OutboxWritten));

    /// <summary>Readers of a time zone wait for their local morning.</summary>
    public static readonly EventId WaitingForLocalTime = new(2005, nameof(WaitingForLocalTime));

    /// <summary>Older editions' delivery records folded into counts (<c>Ledger:KeepEditions</c>).</summary>
    public static readonly EventId EditionsFolded = new(2006, nameof(EditionsFolded));

    /// <summary>Outcomes of a run that crashed recovered from the journal.</summary>
    public static readonly EventId OutcomesRecovered = new(2007, nameof(OutcomesRecovered));

    /// <summary>The edition's web page written to the archive.</summary>
    public static readonly EventId EditionArchived = new(2008, nameof(EditionArchived));

    /// <summary>The templates read reader values: every message is rendered in full (slower).</summary>
    public static readonly EventId RenderedInFull = new(2009, nameof(RenderedInFull));

    /// <summary>PostgreSQL: this worker joins an edition with readers due that it is not sending (another worker started it).</summary>
    public static readonly EventId EditionJoined = new(2010, nameof(EditionJoined));

    /// <summary>An edition whose plan a stopped run left unwritten has it finished before anything is sent.</summary>
    public static readonly EventId PlanFinished = new(2011, nameof(PlanFinished));

    /// <summary>PostgreSQL: an edition whose plan another worker is writing now is joined as it is written, not finished again.</summary>
    public static readonly EventId PlanBeingWritten = new(2012, nameof(PlanBeingWritten));
}
