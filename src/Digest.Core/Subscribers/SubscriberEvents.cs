using Microsoft.Extensions.Logging;

namespace Digest.Subscribers;

/// <summary>
/// Event ids of the log lines about the subscriber file and the unsubscribe key.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class SubscriberEvents
{
    /// <summary>The subscriber file changed and was read again.</summary>
    public static readonly EventId SubscribersReloaded = new(4000, nameof(SubscribersReloaded));

    /// <summary>The changed subscriber file has errors: the last good list stays.</summary>
    public static readonly EventId SubscribersEditRefused = new(4001, nameof(SubscribersEditRefused));

    /// <summary>The subscriber file has errors and no good list was read yet.</summary>
    public static readonly EventId SubscribersUnreadable = new(4002, nameof(SubscribersUnreadable));

    /// <summary>The subscriber file is gone: the last good list stays.</summary>
    public static readonly EventId SubscribersFileGone = new(4003, nameof(SubscribersFileGone));

    /// <summary>No unsubscribe key was set: one was made beside the store.</summary>
    public static readonly EventId UnsubscribeKeyMade = new(4004, nameof(UnsubscribeKeyMade));
}
