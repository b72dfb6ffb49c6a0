using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Digest.Delivery;

/// <summary>Sends over SMTP with MailKit, one <see cref="SmtpClient"/> per connection (it is not thread-safe).</summary>
public sealed class SmtpTransport(SmtpOptions options) : IMailTransport
{
    public string Description => $"smtp {options.Host}:{options.Port}";
    public int Connections => options.Connections;

    /// <summary>Where the relay listens, for the worker's reachability check.</summary>
    public (string Host, int Port) Endpoint => (options.Host!, options.Port);

    public IMailConnection OpenConnection(int edition) => new Connection(options);

    /// <summary>How the connection is secured: TLS is required to anything that is not this machine.</summary>
    public static SecureSocketOptions SocketOptions(SmtpOptions o) => TlsPolicy.For(o.Security, o.Host!, o.Port, implicitTlsPort: 465);

    private sealed class Connection(SmtpOptions options) : IMailConnection
    {
        private readonly SmtpClient _client = new() { Timeout = (int)options.Timeout.TotalMilliseconds };

        public async ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            if (!_client.IsConnected) await ConnectAsync(cancellationToken);
            try
            {
                // A VERP return path, when the builder set one, is the envelope sender (MAIL FROM).
                if (Envelope.SenderOf(message) is { } sender)
                    return await _client.SendAsync(Envelope.WireFormat, message, sender, Envelope.RecipientsOf(message), cancellationToken);
                return await _client.SendAsync(message, cancellationToken);
            }
            catch (SmtpCommandException e)
            {
                if (e.StatusCode == SmtpStatusCode.ServiceNotAvailable || (int)e.StatusCode < 500)
                    throw Transient(e, $"{(int)e.StatusCode} {e.Message}");
                if (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
                    throw new DeliveryException(DeliveryFailure.HardBounce, $"{(int)e.StatusCode} {e.Message}", e);
                // A 5xx to MAIL FROM or to the message itself is not about this reader: the server refuses us.
                throw new DeliveryException(DeliveryFailure.Fatal, $"{(int)e.StatusCode} {e.Message}", e);
            }
            catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or TimeoutException or ServiceNotConnectedException)
            {
                throw Transient(e, e is TimeoutException ? $"timed out after {options.Timeout.TotalSeconds:0}s" : $"connection lost: {e.Message}");
            }
        }

        private DeliveryException Transient(Exception e, string reply)
        {
            // After a 421, a drop or a timeout the session is in an unknown state: start a new one next time.
            if (_client.IsConnected) _client.Disconnect(false);
            return new DeliveryException(DeliveryFailure.Transient, reply, e);
        }

        private async Task ConnectAsync(CancellationToken cancellationToken)
        {
            var host = options.Host!;
            // Nagle's algorithm holds the last small write of each message until the server's delayed ACK
            // (about 40 ms a message); a socket with NoDelay sends at once (MailKit issue #1408).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Timeout);
                await socket.ConnectAsync(host, options.Port, timeout.Token);
                await _client.ConnectAsync(socket, host, options.Port, SocketOptions(options), cancellationToken);
            }
            catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException or SmtpCommandException
                                          or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new DeliveryException(DeliveryFailure.Transient, $"cannot connect to {host}:{options.Port}: {e.Message}", e) { ConnectFailed = true };
            }
            catch (SslHandshakeException e)
            {
                socket.Dispose();
                throw new DeliveryException(DeliveryFailure.Fatal, $"TLS with {host}:{options.Port} failed: {e.Message}", e);
            }
            catch (NotSupportedException e)
            {
                socket.Dispose();
                throw new DeliveryException(DeliveryFailure.Fatal, $"{host}:{options.Port} does not offer STARTTLS, which Digest:Smtp:Security requires", e);
            }

            if (string.IsNullOrEmpty(options.Username)) return;
            try
            {
                await _client.AuthenticateAsync(options.Username, ReadPassword(options), cancellationToken);
            }
            catch (AuthenticationException e)
            {
                await _client.DisconnectAsync(true, CancellationToken.None);
                // The server's words only: never the password.
                throw new DeliveryException(DeliveryFailure.Fatal, $"{host}:{options.Port} refused the credentials of {options.Username}: {e.Message}", e);
            }
        }

        private static string ReadPassword(SmtpOptions o) =>
            !string.IsNullOrEmpty(o.PasswordFile) ? File.ReadAllText(o.PasswordFile).TrimEnd('\r', '\n') : o.Password ?? "";

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_client.IsConnected) await _client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SocketException or TimeoutException or SmtpCommandException)
            {
                // QUIT on a broken connection: nothing left to tell the server.
            }
            _client.Dispose();
        }
    }
}
