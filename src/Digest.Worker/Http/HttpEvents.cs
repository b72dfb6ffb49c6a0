using Microsoft.Extensions.Logging;

namespace Digest.Worker.Http;

/// <summary>
/// Event ids of the log lines about the listener: one-click unsubscribe and relay webhooks.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class HttpEvents
{
    /// <summary>The listener is up: its addresses and paths.</summary>
    public static readonly EventId ListenerStarted = new(1100, nameof(ListenerStarted));

    /// <summary>A reader unsubscribed with the one-click link.</summary>
    public static readonly EventId UnsubscribedByLink = new(1101, nameof(UnsubscribedByLink));

    /// <summary>A relay webhook with a good signature that Digest cannot read.</summary>
    public static readonly EventId WebhookUnreadable = new(1102, nameof(WebhookUnreadable));

    /// <summary>A relay webhook refused with 401 (bad or missing signature).</summary>
    public static readonly EventId WebhookRefused = new(1103, nameof(WebhookRefused));
}
