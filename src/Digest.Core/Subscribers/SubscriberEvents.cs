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

    /// <summary>A signup's confirmation mail was sent.</summary>
    public static readonly EventId SignupMailed = new(4005, nameof(SignupMailed));

    /// <summary>A signup got the usual answer but no mail: the honeypot was filled, the address had its mails, or the relay refused that address.</summary>
    public static readonly EventId SignupNotMailed = new(4006, nameof(SignupNotMailed));

    /// <summary>A relay did not take a confirmation mail (down, or refusing everyone): the next relay is tried.</summary>
    public static readonly EventId SignupRelayFailed = new(4007, nameof(SignupRelayFailed));

    /// <summary>A reader confirmed their signup (and any unsubscribe or bounce suppression was lifted).</summary>
    public static readonly EventId SignupConfirmed = new(4008, nameof(SignupConfirmed));

    /// <summary>A confirmation link older than the reader's suppression was refused.</summary>
    public static readonly EventId SignupConfirmRefused = new(4009, nameof(SignupConfirmRefused));

    /// <summary>A reader confirmed, but a spam complaint keeps the address suppressed until an admin lifts it.</summary>
    public static readonly EventId SignupConfirmedButComplained = new(4010, nameof(SignupConfirmedButComplained));
}
