namespace Digest.Subscribers;

/// <summary>
/// The address of the mailto variant of List-Unsubscribe. Offered only while the bounce reader reads a
/// mailbox (Digest:Bounces:Imap:Host), and only at an address that lands there: Digest:Unsubscribe:Mailto
/// (the admin routes it to that mailbox) or the bounce address itself. An unsubscribe request mailed to a
/// mailbox nobody reads would be a promise Digest does not keep.
/// </summary>
public static class UnsubscribeMailbox
{
    public static string? For(DigestOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Bounces.Imap.Host)) return null;
        if (!string.IsNullOrWhiteSpace(o.Unsubscribe.Mailto)) return o.Unsubscribe.Mailto;
        return string.IsNullOrWhiteSpace(o.Bounces.Address) ? null : o.Bounces.Address;
    }
}
