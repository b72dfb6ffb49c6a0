using Microsoft.Extensions.Logging;

namespace Digest.Bounces;

/// <summary>
/// Event ids of the log lines about bounce and complaint reports, by mail and by relay webhook.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class BounceEvents
{
    /// <summary>The worker reads the bounce mailbox on an interval.</summary>
    public static readonly EventId MailboxPolling = new(3000, nameof(MailboxPolling));

    /// <summary>One read of the bounce mailbox: what it found and did.</summary>
    public static readonly EventId MailboxRead = new(3001, nameof(MailboxRead));

    /// <summary>A bounce or complaint from the mailbox recorded against a delivery.</summary>
    public static readonly EventId ReportRecorded = new(3002, nameof(ReportRecorded));

    /// <summary>A mailbox message matched no delivery; kept in the unmatched folder.</summary>
    public static readonly EventId ReportUnmatched = new(3003, nameof(ReportUnmatched));

    /// <summary>A mailbox message could not be handled.</summary>
    public static readonly EventId ReportFailed = new(3004, nameof(ReportFailed));

    /// <summary>A reader unsubscribed by mail (List-Unsubscribe mailto).</summary>
    public static readonly EventId UnsubscribedByMail = new(3005, nameof(UnsubscribedByMail));

    /// <summary>The bounce mailbox could not be read; retried.</summary>
    public static readonly EventId MailboxNotRead = new(3006, nameof(MailboxNotRead));

    /// <summary>A poll of the bounce mailbox failed unexpectedly; retried.</summary>
    public static readonly EventId MailboxPollFailed = new(3007, nameof(MailboxPollFailed));

    /// <summary>A bounce or complaint from a relay webhook recorded.</summary>
    public static readonly EventId WebhookReportRecorded = new(3008, nameof(WebhookReportRecorded));

    /// <summary>A relay webhook event matched no delivery; nothing recorded.</summary>
    public static readonly EventId WebhookReportUnmatched = new(3009, nameof(WebhookReportUnmatched));
}
