using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit.Security;

namespace Digest;

/// <summary>How a connection to a mail server (SMTP or IMAP) is secured: TLS is required to anything that is not this machine.</summary>
public static class TlsPolicy
{
    /// <param name="implicitTlsPort">The port where TLS starts on connect (465 for SMTP, 993 for IMAP).</param>
    public static SecureSocketOptions For(SmtpSecurity security, string host, int port, int implicitTlsPort) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ when DigestOptionsValidator.IsLoopback(host) => SecureSocketOptions.StartTlsWhenAvailable,
        _ => port == implicitTlsPort ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls,
    };

    /// <summary>
    /// Which server certificates are accepted; null keeps MailKit's own validation (a trusted chain for the host).
    /// With <paramref name="trustedCertificateFile"/>, that one certificate is accepted as well (pinned: the
    /// server's must be byte for byte the file's). Auto to a loopback host is opportunistic TLS, as Postfix's
    /// own client at smtp_tls_security_level=may: the mail never leaves the machine, so a stock relay's
    /// self-signed certificate must not stop it, and encrypting anyway costs nothing.
    /// </summary>
    public static RemoteCertificateValidationCallback? CertificateCheck(SmtpSecurity security, string host, string? trustedCertificateFile)
    {
        if (!string.IsNullOrWhiteSpace(trustedCertificateFile))
        {
            var pinned = LoadCertificate(trustedCertificateFile).RawData;
            return (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(pinned));
        }
        if (security == SmtpSecurity.Auto && DigestOptionsValidator.IsLoopback(host)) return (_, _, _, _) => true;
        return null;
    }

    /// <summary>A certificate file as PEM or DER.</summary>
    public static X509Certificate2 LoadCertificate(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificate(bytes);
    }

    /// <summary>Why <paramref name="file"/> cannot be used as a trusted certificate, or null when it can.</summary>
    public static string? CertificateProblem(string file)
    {
        if (!File.Exists(file)) return "names a file that does not exist";
        try
        {
            LoadCertificate(file).Dispose();
            return null;
        }
        catch (CryptographicException e)
        {
            return $"is not a PEM or DER certificate ({e.Message.TrimEnd('.')})";
        }
    }
}
