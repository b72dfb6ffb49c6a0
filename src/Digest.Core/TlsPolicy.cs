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
}
