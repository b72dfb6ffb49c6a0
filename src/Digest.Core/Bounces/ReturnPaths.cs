using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Bounces;

/// <summary>
/// VERP return paths: <c>bounces+EDITION-POSITION-MAC@domain</c> names one delivery of the ledger, so a
/// bounce that arrives days later says whose it is even when the relay quotes nothing of the original.
/// The MAC (HMAC-SHA256 under a key derived from the unsubscribe key) stops anyone from forging a bounce
/// that suppresses an address. Lower-case hex throughout: relays may change the case of a local part.
/// </summary>
public sealed class ReturnPaths
{
    private const int MacBytes = 10;
    private readonly Lazy<byte[]> _key;
    private readonly string _listId;
    private readonly string? _local;
    private readonly string? _domain;

    public ReturnPaths(IOptions<DigestOptions> options, UnsubscribeKey key)
    {
        var o = options.Value;
        _listId = o.ListId;
        // Its own key: a MAC of one kind is never valid as another.
        _key = new(() => key.DeriveFor("digest return path"));
        if (o.Bounces.Address is { Length: > 0 } address && address.LastIndexOf('@') is var at and > 0)
        {
            _local = address[..at];
            _domain = address[(at + 1)..];
        }
    }

    /// <summary>True when messages carry a VERP return path (Digest:Bounces:Address is set).</summary>
    public bool Enabled => _local is not null;

    /// <summary>The envelope sender for one delivery, or null when VERP is off.</summary>
    public MailboxAddress? For(long deliveryId)
    {
        if (!Enabled) return null;
        var (edition, position) = Split(deliveryId);
        var token = $"{edition}-{position}";
        return new MailboxAddress("", $"{_local}+{token}-{Mac(token)}@{_domain}");
    }

    /// <summary>The delivery a genuine return path names; null for any other address, forged or altered.</summary>
    public long? DeliveryIdOf(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 320) return null;
        var at = address.LastIndexOf('@');
        var plus = at > 0 ? address.LastIndexOf('+', at - 1) : -1;
        if (plus < 0) return null;
        var parts = address[(plus + 1)..at].ToLowerInvariant().Split('-');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var edition)
            || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            return null;
        var token = $"{edition}-{position}";
        var expected = Encoding.ASCII.GetBytes(Mac(token));
        var given = Encoding.ASCII.GetBytes(parts[2]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return null;
        return Digest.Ledger.DeliveryRecord.IdFor(edition, (int)position);
    }

    private static (int Edition, uint Position) Split(long id) => ((int)(id >> 32), (uint)id);

    private string Mac(string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{_listId}\n{token}")), 0, MacBytes);
}
