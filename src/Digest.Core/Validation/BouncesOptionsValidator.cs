using System.Security.Cryptography;
using Digest.Bounces;

namespace Digest.Validation;

/// <summary>The bounce address, the soft-bounce limit, the IMAP mailbox and the relays' webhooks.</summary>
public sealed class BouncesOptionsValidator : SectionValidator<BouncesOptions>
{
    protected override IEnumerable<(string, BouncesOptions)> Sections(DigestOptions o) => [("Digest:Bounces", o.Bounces)];

    protected override void Check(string key, BouncesOptions b, List<string> errors)
    {
        if (b.Address is { Length: > 0 } address && !IsAddress(address))
            errors.Add($"{key}:Address is not a valid email address, was \"{address}\".");
        if (b.SoftBounceLimit is < 1 or > 100)
            errors.Add($"{key}:SoftBounceLimit must be between 1 and 100, was {b.SoftBounceLimit}.");
        CheckWebhooks($"{key}:Webhooks", b.Webhooks, errors);
        CheckImap($"{key}:Imap", b.Imap, errors);
    }

    private static void CheckWebhooks(string key, BounceWebhooksOptions webhooks, List<string> errors)
    {
        var (mailgun, sendGrid, postmark) = (webhooks.Mailgun, webhooks.SendGrid, webhooks.Postmark);
        if (mailgun.Enabled) CheckMaxAge($"{key}:Mailgun:MaxAge", mailgun.MaxAge, errors);
        if (sendGrid.Enabled)
        {
            CheckMaxAge($"{key}:SendGrid:MaxAge", sendGrid.MaxAge, errors);
            try
            {
                using var _ = SendGridWebhook.ReadKey(sendGrid.VerificationKey!);
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                errors.Add($"{key}:SendGrid:VerificationKey is not an ECDSA P-256 public key in base64 (SendGrid's \"Verification Key\"): {e.Message}");
            }
        }
        if (!postmark.Enabled) return;
        if (string.IsNullOrWhiteSpace(postmark.Username) || postmark.Username.Contains(':'))
            errors.Add($"{key}:Postmark:Username must be set, without ':', when its Password is, was \"{postmark.Username}\".");
        // A guessable password would let anyone suppress readers; the value itself is never echoed.
        if ((postmark.Password?.Length ?? 0) < 16)
            errors.Add($"{key}:Postmark:Password must be at least 16 characters, was {postmark.Password?.Length ?? 0}.");
    }

    /// <summary>How old a signed webhook request may be: long enough for a relay's clock and retries, short enough that a captured one soon stops working.</summary>
    private static void CheckMaxAge(string key, TimeSpan maxAge, List<string> errors)
    {
        if (maxAge < TimeSpan.FromSeconds(30) || maxAge > TimeSpan.FromHours(1))
            errors.Add($"{key} must be between 00:00:30 and 01:00:00, was {maxAge}.");
    }

    private static void CheckImap(string key, BounceMailboxOptions imap, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(imap.Host)) return;
        if (imap.Port is < 1 or > 65535)
            errors.Add($"{key}:Port must be between 1 and 65535, was {imap.Port}.");
        if (string.IsNullOrWhiteSpace(imap.Username))
            errors.Add($"{key}:Username must be set when {key}:Host is.");
        if (imap.Security == SmtpSecurity.None && !DigestOptionsValidator.IsLoopback(imap.Host))
            errors.Add($"{key}:Security is None but {key}:Host \"{imap.Host}\" is not a loopback address; use StartTls, SslOnConnect or Auto.");
        if (imap.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"{key}:PasswordFile names a file that does not exist, was \"{file}\".");
        if (string.IsNullOrWhiteSpace(imap.Folder))
            errors.Add($"{key}:Folder must be set (INBOX by default).");
        if (string.IsNullOrWhiteSpace(imap.ProcessedFolder) || imap.ProcessedFolder == imap.Folder)
            errors.Add($"{key}:ProcessedFolder must be a folder other than {key}:Folder, was \"{imap.ProcessedFolder}\".");
        if (imap.UnmatchedFolder == imap.Folder)
            errors.Add($"{key}:UnmatchedFolder must differ from {key}:Folder (empty leaves unmatched reports there), was \"{imap.UnmatchedFolder}\".");
        if (imap.PollInterval < TimeSpan.FromSeconds(10))
            errors.Add($"{key}:PollInterval must be at least 00:00:10, was {imap.PollInterval}.");
        if (imap.Timeout <= TimeSpan.Zero)
            errors.Add($"{key}:Timeout must be a positive duration such as 00:00:30, was {imap.Timeout}.");
        AtMost($"{key}:Timeout", imap.Timeout, TimeSpan.FromMinutes(10), errors);
        AtMost($"{key}:PollInterval", imap.PollInterval, TimeSpan.FromDays(1), errors);
    }
}
