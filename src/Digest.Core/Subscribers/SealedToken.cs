using System.Security.Cryptography;

namespace Digest.Subscribers;

/// <summary>
/// The layout of the tokens Digest puts in links (unsubscribe, signup confirmation): <c>nonce | AES-256-GCM
/// ciphertext | tag</c>, base64url-encoded by the caller. How the nonce is chosen is the caller's: it is what the
/// two kinds of token differ in.
/// </summary>
internal static class SealedToken
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;

    public static byte[] Seal(AesGcm aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> associated)
    {
        var token = new byte[NonceBytes + plain.Length + TagBytes];
        nonce.CopyTo(token);
        aes.Encrypt(token.AsSpan(0, NonceBytes), plain, token.AsSpan(NonceBytes, plain.Length), token.AsSpan(NonceBytes + plain.Length), associated);
        return token;
    }

    /// <summary>The content of a genuine token; null for one too short, forged or altered.</summary>
    public static byte[]? Open(AesGcm aes, ReadOnlySpan<byte> token, ReadOnlySpan<byte> associated)
    {
        if (token.Length <= NonceBytes + TagBytes) return null;
        var plain = new byte[token.Length - NonceBytes - TagBytes];
        try
        {
            aes.Decrypt(token[..NonceBytes], token.Slice(NonceBytes, plain.Length), token[(NonceBytes + plain.Length)..], plain, associated);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return plain;
    }
}
