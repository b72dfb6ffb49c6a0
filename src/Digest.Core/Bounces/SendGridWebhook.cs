using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Digest.Bounces;

/// <summary>
/// SendGrid's signed event webhook (documentation "Getting Started with the Event Webhook Security Features"): the
/// header <c>X-Twilio-Email-Event-Webhook-Signature</c> is a base64 DER ECDSA P-256/SHA-256 signature over the value
/// of <c>X-Twilio-Email-Event-Webhook-Timestamp</c> followed by the raw body, checked with the account's public
/// verification key. The body is a JSON array of events.
/// </summary>
public static class SendGridWebhook
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>The verification key as an ECDSA key; throws <see cref="CryptographicException"/> or <see cref="FormatException"/> when it is none.</summary>
    public static ECDsa ReadKey(string verificationKey)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(verificationKey.Trim()), out _);
            if (key.ExportParameters(false).Curve.Oid?.Value != P256) throw new CryptographicException("not on the P-256 curve");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="signature"/> is the key's over timestamp + body.</summary>
    public static bool SignatureIsValid(ECDsa key, string timestamp, ReadOnlySpan<byte> body, string signature)
    {
        byte[] given;
        try
        {
            given = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var at = Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(at));
        return key.VerifyData(signed, given, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>
    /// The bounce or complaint of one event; null for the others (delivered, open, deferred: SendGrid still retries
    /// those itself, dropped: it never sent). A "blocked" bounce is the receiver refusing for now, so soft.
    /// </summary>
    public static RelayEvent? Parse(JsonElement e)
    {
        var kind = (MailgunWebhook.Text(e, "event"), MailgunWebhook.Text(e, "type")) switch
        {
            ("bounce", "blocked") => ReportKind.SoftBounce,
            ("bounce", _) => ReportKind.HardBounce,
            ("spamreport", _) => ReportKind.Complaint,
            _ => (ReportKind?)null,
        };
        if (kind is null) return null;
        var id = MailgunWebhook.Text(e, "sg_event_id") ?? throw new JsonException("sg_event_id is missing");
        var recipient = MailgunWebhook.Text(e, "email") ?? throw new JsonException("email is missing");
        var at = e.TryGetProperty("timestamp", out var t) && t.TryGetInt64(out var seconds) && seconds is > 0 and < 253402300799
            ? DateTime.UnixEpoch.AddSeconds(seconds)
            : DateTime.UtcNow;
        var status = kind == ReportKind.Complaint ? "complaint" : MailgunWebhook.Text(e, "status") ?? "";
        return new RelayEvent("sendgrid", id, kind.Value, recipient, MailgunWebhook.Text(e, "smtp-id")?.Trim().Trim('<', '>'), status, MailgunWebhook.Text(e, "reason"), at);
    }
}
