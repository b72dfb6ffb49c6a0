using Microsoft.Extensions.Logging;

namespace Digest;

/// <summary>
/// Event ids of the log lines about start-up checks.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class StartupEvents
{
    /// <summary>A 5-field Unix cron was read as the Quartz cron in the line.</summary>
    public static readonly EventId UnixCronRead = new(7000, nameof(UnixCronRead));

    /// <summary><c>Digest:Sender:PostalAddress</c> is not set (CAN-SPAM).</summary>
    public static readonly EventId NoPostalAddress = new(7001, nameof(NoPostalAddress));
}
