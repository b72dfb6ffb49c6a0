using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// Signed, address-bound unsubscribe tokens: <c>base64url(address).base64url(HMAC-SHA256(list + address))</c>.
/// The address is in the token so the endpoint needs no lookup, and the MAC binds it to this list, so a
/// token cannot be forged or moved to another address.
/// </summary>
public sealed class UnsubscribeTokens
{
    public const int MinimumKeyBytes = 32;
    private const int MacBytes = 16;
    private readonly byte[] _key;
    private readonly string _listId;

    /// <summary>True when no key was configured and a random one stands in for this process only.</summary>
    public bool KeyIsEphemeral { get; }

    public UnsubscribeTokens(IOptions<DigestOptions> options)
    {
        _listId = options.Value.ListId;
        var configured = ReadKey(options.Value.Unsubscribe);
        KeyIsEphemeral = configured is null;
        _key = configured ?? RandomNumberGenerator.GetBytes(MinimumKeyBytes);
    }

    /// <summary>The configured key, or null when none is set; throws when it is set but unusable.</summary>
    public static byte[]? ReadKey(UnsubscribeOptions o)
    {
        string? text = o.Key;
        var source = "Digest:Unsubscribe:Key";
        if (string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(o.KeyFile))
        {
            source = $"Digest:Unsubscribe:KeyFile ({o.KeyFile})";
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
        return $"{Base64Url.EncodeToString(address)}.{Base64Url.EncodeToString(Mac(address))}";
    }

    /// <summary>The address a genuine token was made for; null for anything forged, altered or malformed.</summary>
    public string? Verify(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024) return null;
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        try
        {
            var address = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            return CryptographicOperations.FixedTimeEquals(mac, Mac(address)) ? Encoding.UTF8.GetString(address) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private byte[] Mac(byte[] address)
    {
        var message = Encoding.UTF8.GetBytes(_listId + "\n").Concat(address).ToArray();
        return HMACSHA256.HashData(_key, message)[..MacBytes];
    }
}
