namespace Digest.Validation;

/// <summary>Digest:Smtp and each relay of Digest:Relays: the same rules, each message naming the relay's own key.</summary>
public sealed class SmtpOptionsValidator : SectionValidator<SmtpOptions>
{
    protected override IEnumerable<(string, SmtpOptions)> Sections(DigestOptions o) =>
        [("Digest:Smtp", o.Smtp), .. o.Relays.Select((relay, i) => ($"Digest:Relays:{i}", relay))];

    protected override void Check(string key, SmtpOptions smtp, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host)) return;
        if (smtp.Port is < 1 or > 65535)
            errors.Add($"{key}:Port must be between 1 and 65535, was {smtp.Port}.");
        if (smtp.Connections is < 1 or > 64)
            errors.Add($"{key}:Connections must be between 1 and 64, was {smtp.Connections}.");
        if (smtp.CostPerThousand < 0)
            errors.Add($"{key}:CostPerThousand must not be negative, was {smtp.CostPerThousand}.");
        if (smtp.MaxPerSecond < 0)
            errors.Add($"{key}:MaxPerSecond must be 0 (unlimited) or more, was {smtp.MaxPerSecond}.");
        if (smtp.Timeout <= TimeSpan.Zero)
            errors.Add($"{key}:Timeout must be a positive duration such as 00:00:30, was {smtp.Timeout}.");
        else if (smtp.MessageDeadline < smtp.Timeout || smtp.MessageDeadline > TimeSpan.FromHours(1))
            errors.Add($"{key}:MessageDeadline must be at least {key}:Timeout ({smtp.Timeout}) and at most 01:00:00, was {smtp.MessageDeadline}.");
        AtMost($"{key}:Timeout", smtp.Timeout, TimeSpan.FromMinutes(10), errors);
        // Mail to a server off this machine crosses a network: refuse to send it, and the password, in clear text.
        if (smtp.Security == SmtpSecurity.None && !DigestOptionsValidator.IsLoopback(smtp.Host))
            errors.Add($"{key}:Security is None but {key}:Host \"{smtp.Host}\" is not a loopback address; use StartTls, SslOnConnect or Auto.");
        if (smtp.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"{key}:PasswordFile names a file that does not exist, was \"{file}\".");
        if (smtp.TrustedCertificateFile is { Length: > 0 } pem && TlsPolicy.CertificateProblem(pem) is { } problem)
            errors.Add($"{key}:TrustedCertificateFile {problem}, was \"{pem}\".");
    }
}
