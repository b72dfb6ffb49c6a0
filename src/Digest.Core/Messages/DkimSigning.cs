using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace Digest.Messages;

/// <summary>
/// Optional DKIM signing (RFC 6376) of every message, with the RSA key from Digest:Dkim:KeyFile. Off unless
/// Digest:Dkim is set; Gmail and Yahoo want bulk mail signed by a domain aligned with From.
/// </summary>
public sealed class DkimSigning
{
    /// <summary>
    /// The headers a receiver should trust not to have been altered: who it is from and to, what and when,
    /// and the unsubscribe headers, so nobody can swap the one-click link of a signed message; Feedback-ID because
    /// Gmail's feedback loop only reads a signed one.
    /// </summary>
    public static readonly string[] SignedHeaders =
        ["From", "Subject", "Date", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID"];

    private readonly DkimSigner? _signer;

    public DkimSigning(IOptions<DigestOptions> options)
    {
        var o = options.Value.Dkim;
        if (o.Enabled) _signer = Load(o);
    }

    public bool Enabled => _signer is not null;

    /// <summary>Signs in place. The message must not change after this, so its encoding is fixed first.</summary>
    public void Sign(MimeMessage message)
    {
        if (_signer is null) return;
        // Seven-bit now means no relay or client re-encodes the body later and breaks the body hash.
        message.Prepare(EncodingConstraint.SevenBit);
        _signer.Sign(message, SignedHeaders);
    }

    /// <summary>Checks the settings and that the key loads; messages name the key and the file, never the key's content.</summary>
    public static void Validate(DkimOptions o, List<string> errors)
    {
        if (!o.Enabled) return;
        var before = errors.Count;
        if (string.IsNullOrWhiteSpace(o.Domain)) errors.Add("Digest:Dkim:Domain must be set when DKIM signing is configured.");
        if (string.IsNullOrWhiteSpace(o.Selector)) errors.Add("Digest:Dkim:Selector must be set when DKIM signing is configured.");
        if (string.IsNullOrWhiteSpace(o.KeyFile)) errors.Add("Digest:Dkim:KeyFile must be set when DKIM signing is configured.");
        else if (!File.Exists(o.KeyFile)) errors.Add($"Digest:Dkim:KeyFile names a file that does not exist, was \"{o.KeyFile}\".");
        if (errors.Count > before) return;
        try
        {
            Load(o);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            errors.Add($"Digest:Dkim:KeyFile \"{o.KeyFile}\" is not a usable PEM RSA private key: {e.Message}");
        }
    }

    private static DkimSigner Load(DkimOptions o) =>
        new(o.KeyFile!, o.Domain!.Trim(), o.Selector!.Trim(), DkimSignatureAlgorithm.RsaSha256)
        {
            // Relaxed/relaxed survives the header refolding and trailing-space changes relays make.
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
}
