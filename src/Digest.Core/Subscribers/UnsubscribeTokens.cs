using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// Unsubscribe tokens that say nothing without the key: <c>base64url(nonce | AES-256-GCM(address) | tag)</c>,
/// with the List-Id as associated data. The address travels inside the token, so the endpoint needs no
/// lookup and no state that a lost or restored store could forget; the tag binds it to this list, so a token
/// cannot be forged, altered or moved to another address. Tokens of the first format,
/// <c>base64url(address).base64url(HMAC-SHA256(list + address))</c>, are still accepted: links already in
/// readers' mailboxes keep working.
/// </summary>
public sealed class UnsubscribeTokens(IOptions<DigestOptions> options, UnsubscribeKey key)
{
    public const int MinimumKeyBytes = 32;
    private const int LegacyMacBytes = 16;
    private readonly byte[] _listId = Encoding.UTF8.GetBytes(options.Value.ListId);
    private readonly Lazy<byte[]> _nonceKey = new(() => key.DeriveFor("digest unsubscribe token v2 nonce"));

    // One cipher per thread: AesGcm is not thread-safe, and making one per token cost more than the encryption.
    private readonly ThreadLocal<AesGcm> _aes = new(() => new AesGcm(key.DeriveFor("digest unsubscribe token v2"), SealedToken.TagBytes));

    /// <summary>The configured key, or null when none is set; throws when it is set but unusable.</summary>
    public static byte[]? ReadKey(UnsubscribeOptions o) => ReadKey(o, $"Digest:Unsubscribe:KeyFile ({o.KeyFile})");

    /// <param name="fileSource">How to name the key file in a message: the setting, or the file kept beside the store.</param>
    public static byte[]? ReadKey(UnsubscribeOptions o, string fileSource)
    {
        string? text = o.Key;
        var source = "Digest:Unsubscribe:Key";
        if (string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(o.KeyFile))
        {
            source = fileSource;
            try
            {
                text = File.ReadAllText(o.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OptionsValidationException("Digest", typeof(DigestOptions), [$"{source} cannot be read: {e.Message}"]);
            }
        }
        if (string.IsNullOrWhiteSpace(text)) return null;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            // Never echo the value: it is a secret.
            throw new OptionsValidationException("Digest", typeof(DigestOptions), [$"{source} is not valid base64."]);
        }
        if (key.Length < MinimumKeyBytes)
            throw new OptionsValidationException("Digest", typeof(DigestOptions),
                [$"{source} is {key.Length} bytes; it must be at least {MinimumKeyBytes} (e.g. `openssl rand -base64 32`)."]);
        return key;
    }

    public string Create(string email)
    {
        var address = Encoding.UTF8.GetBytes(email.ToLowerInvariant());
        // The nonce is a MAC of the address (the SIV construction): one nonce only ever meets one address, as
        // AES-GCM requires, and a reader's token is the same in the header, the body and every edition.
        var nonce = HMACSHA256.HashData(_nonceKey.Value, address).AsSpan(0, SealedToken.NonceBytes);
        return Base64Url.EncodeToString(SealedToken.Seal(_aes.Value!, nonce, address, _listId));
    }

    /// <summary>The address a genuine token was made for; null for anything forged, altered or malformed.</summary>
    public string? Verify(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024) return null;
        try
        {
            return token.Contains('.') ? VerifyLegacy(token) : Decrypt(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string? Decrypt(byte[] token) =>
        SealedToken.Open(_aes.Value!, token, _listId) is { } address ? Encoding.UTF8.GetString(address) : null;

    private string? VerifyLegacy(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        var address = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
        var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        var message = _listId.Concat("\n"u8.ToArray()).Concat(address).ToArray();
        var expected = HMACSHA256.HashData(key.Bytes, message)[..LegacyMacBytes];
        return CryptographicOperations.FixedTimeEquals(mac, expected) ? Encoding.UTF8.GetString(address) : null;
    }
}
