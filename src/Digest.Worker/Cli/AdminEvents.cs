using Microsoft.Extensions.Logging;

namespace Digest.Worker.Cli;

/// <summary>
/// Event ids of the log lines about what an admin did from the command line.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class AdminEvents
{
    /// <summary><c>digest unsubscribe</c>.</summary>
    public static readonly EventId AdminUnsubscribed = new(1200, nameof(AdminUnsubscribed));

    /// <summary><c>digest resubscribe EMAIL</c>.</summary>
    public static readonly EventId AdminResubscribed = new(1201, nameof(AdminResubscribed));

    /// <summary><c>digest resubscribe --edition N --reason hard-bounce</c>.</summary>
    public static readonly EventId AdminResubscribedEdition = new(1202, nameof(AdminResubscribedEdition));
}
