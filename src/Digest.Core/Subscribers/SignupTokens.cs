using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>What a reader asked for on the form, carried inside their confirmation link until they confirm.</summary>
public sealed record SignupRequest(string Email, string? Name, IReadOnlyList<string> Categories);

/// <summary>A confirmation link's content once its seal is checked: the request and when the link was made.</summary>
public sealed record SignupTicket(SignupRequest Request, DateTime IssuedAt);

public enum TicketProblem
{
    None,
    /// <summary>Forged, altered, cut short or not a token at all.</summary>
    Invalid,
    /// <summary>Genuine, but older than Digest:Signup:ConfirmWithin.</summary>
    Expired,
}

/// <summary>
/// Confirmation links that hold the whole signup: <c>base64url(nonce | AES-256-GCM(json) | tag)</c> with the List-Id
/// as associated data, under a key derived from the list's key for this purpose only. Nothing is stored before the
/// reader confirms, so a flood of signups fills no table; the tag makes the link unforgeable and unalterable, and the
/// time sealed inside it makes it expire.
/// </summary>
public sealed class SignupTokens(IOptions<DigestOptions> digest, IOptions<SignupOptions> options, UnsubscribeKey key, TimeProvider clock)
{
    /// <summary>Far beyond any genuine link (an address, a 200-character name, a few categories).</summary>
    private const int MaxTokenChars = 4096;

    private readonly byte[] _associated = Encoding.UTF8.GetBytes("signup\n" + digest.Value.ListId);
    private readonly Lazy<byte[]> _key = new(() => key.DeriveFor("digest signup confirmation v1"));

    public string Create(SignupRequest request)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(new Sealed(request.Email, request.Name, [.. request.Categories], clock.GetUtcNow().ToUnixTimeMilliseconds()));
        // A random nonce: links are few (limited per address and client), far from the 2^32 a random 96-bit nonce allows per key.
        using var aes = new AesGcm(_key.Value, SealedToken.TagBytes);
        return Base64Url.EncodeToString(SealedToken.Seal(aes, RandomNumberGenerator.GetBytes(SealedToken.NonceBytes), plain, _associated));
    }

    /// <summary>The ticket inside a genuine, unexpired token; otherwise null and why.</summary>
    public (SignupTicket? Ticket, TicketProblem Problem) Open(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenChars) return (null, TicketProblem.Invalid);
        Sealed? content;
        try
        {
            using var aes = new AesGcm(_key.Value, SealedToken.TagBytes);
            if (SealedToken.Open(aes, Base64Url.DecodeFromChars(token), _associated) is not { } plain) return (null, TicketProblem.Invalid);
            content = JsonSerializer.Deserialize<Sealed>(plain);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (null, TicketProblem.Invalid);
        }
        if (content is null || string.IsNullOrEmpty(content.E)) return (null, TicketProblem.Invalid);
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(content.T, 0, 253402300799999));
        if (clock.GetUtcNow() - issued > options.Value.ConfirmWithin) return (null, TicketProblem.Expired);
        return (new SignupTicket(new SignupRequest(content.E, content.N, content.C ?? []), issued.UtcDateTime), TicketProblem.None);
    }

    /// <summary>Short member names: the link's length grows with every byte sealed. T: Unix milliseconds, so a link made just after an unsubscribe is later than it.</summary>
    private sealed record Sealed(string E, string? N, string[]? C, long T);
}
