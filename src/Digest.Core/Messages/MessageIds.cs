using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Messages;

/// <summary>
/// Message-IDs of the form <c>digest.EDITION.POSITION.STORE.MAC@sender-domain</c>. The same for every send of one
/// edition to one reader (the ledger keeps it from planning on), so a receiving server can fold the duplicate
/// a crash between "accepted" and "recorded" may cause; the store's random id keeps two stores from ever
/// giving one reader the same ID; the MAC (under a key derived from the unsubscribe key) lets the bounce
/// reader tell an ID it made from one a stranger wrote into a forged report. The reader's position in the
/// plan, ten digits, makes an edition's IDs sort in the order they are planned: the store's Message-ID index
/// then grows at one end instead of everywhere at once (a million readers planned in half the time,
/// docs/benchmarks.md). IDs planned before it was there, <c>digest.EDITION.STORE.MAC</c>, still verify.
/// </summary>
public sealed class MessageIds(IOptions<DigestOptions> options, IStoreIdentity store, UnsubscribeKey key)
{
    private const int MacBytes = 10;
    private readonly Lazy<byte[]> _key = new(() => key.DeriveFor("digest message id"));

    private string SenderDomain => options.Value.Sender.Address[(options.Value.Sender.Address.LastIndexOf('@') + 1)..];

    public string For(int edition, int position, string email) => $"{LocalPart(edition, position, email)}@{SenderDomain}";

    /// <summary>
    /// True when <paramref name="messageId"/> is the one Digest made for this edition and reader. Only the
    /// local part counts: the sender's domain may have changed since the message went out.
    /// </summary>
    public bool Verify(string? messageId, int edition, string email)
    {
        if (string.IsNullOrEmpty(messageId) || messageId.Length > 255) return false;
        var at = messageId.LastIndexOf('@');
        var local = (at < 0 ? messageId : messageId[..at]).ToLowerInvariant();
        // Made again in the form the ID has: with the position it names, or the older form without one.
        var made = Locate(local) is not { } located ? null
            : located.Position is { } position ? LocalPart(edition, position, email) : LocalPart(edition, email);
        return made is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(local), Encoding.ASCII.GetBytes(made));
    }

    private const int PositionDigits = 10;

    /// <summary>
    /// Where a Message-ID of any form Digest has made points: its edition and, from the form with positions on, the
    /// reader's place in that edition's plan. Null for an ID Digest did not make. Nothing is verified here.
    /// </summary>
    public static (int Edition, int? Position)? Locate(string messageId)
    {
        var at = messageId.LastIndexOf('@');
        var parts = (at < 0 ? messageId : messageId[..at]).Split('.');
        if (parts.Length < 3 || !parts[0].Equals("digest", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var edition)) return null;
        return parts.Length == 5 && parts[2].Length == PositionDigits
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? (edition, position)
            : (edition, null);
    }

    private string LocalPart(int edition, int position, string email)
    {
        var storeId = store.Id;
        var position10 = position.ToString($"D{PositionDigits}", CultureInfo.InvariantCulture);
        return $"digest.{edition}.{position10}.{storeId}.{Mac($"{options.Value.ListId}\n{storeId}\n{edition}\n{position10}\n{email.ToLowerInvariant()}")}";
    }

    /// <summary>The form made before the plan's position was part of the ID: still quoted by bounces of older editions.</summary>
    private string LocalPart(int edition, string email)
    {
        var storeId = store.Id;
        return $"digest.{edition}.{storeId}.{Mac($"{options.Value.ListId}\n{storeId}\n{edition}\n{email.ToLowerInvariant()}")}";
    }

    private string Mac(string signed) => Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes(signed)), 0, MacBytes);
}
