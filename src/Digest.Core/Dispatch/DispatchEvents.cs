using Microsoft.Extensions.Logging;

namespace Digest.Dispatch;

/// <summary>
/// Event ids of the log lines about sending: replies that concern one reader, relays, stops.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class DispatchEvents
{
    /// <summary>A relay refused a reader's address: bounced and suppressed.</summary>
    public static readonly EventId ReaderBounced = new(2100, nameof(ReaderBounced));

    /// <summary>A relay refused one message at DATA: failed, the edition goes on.</summary>
    public static readonly EventId MessageRefused = new(2101, nameof(MessageRefused));

    /// <summary>The edition stopped early (relay failure, circuit breaker); the next run resumes.</summary>
    public static readonly EventId EditionStoppedEarly = new(2102, nameof(EditionStoppedEarly));

    /// <summary>Circuit breaker: the run's refusals undone and their suppressions lifted.</summary>
    public static readonly EventId RefusalsUndone = new(2103, nameof(RefusalsUndone));

    /// <summary>Readers suppressed while the edition was sending are skipped.</summary>
    public static readonly EventId SuppressedWhileSending = new(2104, nameof(SuppressedWhileSending));

    /// <summary>New suppressions could not be read while sending; retried.</summary>
    public static readonly EventId SuppressionsUnreadable = new(2105, nameof(SuppressionsUnreadable));

    /// <summary>A relay is failing: its traffic moves to the next relay.</summary>
    public static readonly EventId RelayFailover = new(2106, nameof(RelayFailover));
}
