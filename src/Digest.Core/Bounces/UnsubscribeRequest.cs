using System.Text.RegularExpressions;
using MimeKit;

namespace Digest.Bounces;

/// <summary>
/// A reader's mail to the mailto variant of List-Unsubscribe (RFC 2369): the mail client sends it with the
/// subject <c>unsubscribe TOKEN</c> from the link, and it lands in the mailbox the bounce reader reads.
/// </summary>
public static partial class UnsubscribeRequest
{
    /// <summary>The token of an unsubscribe request, or null when the message is not one.</summary>
    public static string? TokenOf(MimeMessage message) =>
        Subject().Match(message.Subject ?? "") is { Success: true } match ? match.Groups[1].Value : null;

    // Some clients put "Re:" or "Fwd:" in front when the reader sends it from a reply; the token is the same.
    [GeneratedRegex(@"^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*)*unsubscribe\s+([A-Za-z0-9_.-]{16,1024})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Subject();
}
