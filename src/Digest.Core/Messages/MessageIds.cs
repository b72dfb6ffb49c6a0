using System.Security.Cryptography;
using System.Text;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Messages;

/// <summary>
/// Message-IDs of the form <c>digest.EDITION.STORE.MAC@sender-domain</c>. The same for every send of one
/// edition to one reader (the ledger keeps it from planning on), so a receiving server can fold the duplicate
/// a crash between "accepted" and "recorded" may cause; the store's random id keeps two stores from ever
/// giving one reader the same ID; the MAC (under a key derived from the unsubscribe key) lets the bounce
/// reader tell an ID it made from one a stranger wrote into a forged report.
/// </summary>
public sealed class MessageIds(IOptions<DigestOptions> options, IStoreIdentity store, UnsubscribeKey key)
{
    private const int MacBytes = 10;
    private readonly Lazy<byte[]> _key = new(() => key.DeriveFor("digest message id"));

    private string SenderDomain => options.Value.Sender.Address[(options.Value.Sender.Address.LastIndexOf('@') + 1)..];

    public string For(int edition, string email) => $"{LocalPart(edition, email)}@{SenderDomain}";

    /// <summary>
    /// True when <paramref name="messageId"/> is the one Digest made for this edition and reader. Only the
    /// local part counts: the sender's domain may have changed since the message went out.
    /// </summary>
    public bool Verify(string? messageId, int edition, string email)
    {
        if (string.IsNullOrEmpty(messageId) || messageId.Length > 255) return false;
        var at = messageId.LastIndexOf('@');
        var given = Encoding.ASCII.GetBytes((at < 0 ? messageId : messageId[..at]).ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(LocalPart(edition, email)));
    }

    private string LocalPart(int edition, string email)
    {
        var storeId = store.Id;
        var mac = HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{options.Value.ListId}\n{storeId}\n{edition}\n{email.ToLowerInvariant()}"));
        return $"digest.{edition}.{storeId}.{Convert.ToHexStringLower(mac, 0, MacBytes)}";
    }
}
