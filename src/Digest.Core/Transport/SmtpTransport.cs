using System.Net.Sockets;
using Digest.Messages;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Digest.Transport;

using Envelope = Digest.Messages.Envelope;

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
        private readonly SmtpClient _client = new MeasuringSmtpClient()
        {
            Timeout = (int)options.Timeout.TotalMilliseconds,
            ServerCertificateValidationCallback = TlsPolicy.CertificateCheck(options.Security, options.Host!, options.TrustedCertificateFile),
        };

        private PatientForAcceptance? _patience;
        private PatientForAcceptance Patience => _patience ??= new PatientForAcceptance(_client, options);

        public async ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken, Func<Task>? acceptAfter = null)
        {
            // MailKit sends DATA through its dot-stuffing filter; a prepared body stuffs its own bytes, faster.
            if (message.Body is PreparedBody stuffed) stuffed.StuffedForData = true;
            // A prepared body holds its last bytes, and so the final "." the server accepts on, until the previous
            // outcome is durable: the envelope and nearly all the message cross the wire while the ledger syncs.
            // Any other message waits whole.
            if (acceptAfter is not null)
            {
                if (message.Body is PreparedBody prepared) prepared.EndAfter = acceptAfter;
                else await acceptAfter().WaitAsync(cancellationToken);
            }
            // Smtp:Timeout bounds each read; a server dripping an endless multi-line reply never lets one
            // time out, so the whole message (and opening the session for it) also has a deadline.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.MessageDeadline);
            if (!_client.IsConnected) await ConnectAsync(deadline.Token, cancellationToken);
            try
            {
                // A VERP return path, when the builder set one, is the envelope sender (MAIL FROM).
                if (Envelope.SenderOf(message) is { } sender)
                    return await _client.SendAsync(Envelope.WireFormat, message, sender, Envelope.RecipientsOf(message), deadline.Token, Patience);
                return await _client.SendAsync(message, deadline.Token, Patience);
            }
            catch (SmtpCommandException e)
            {
                var stage = e.ErrorCode switch
                {
                    SmtpErrorCode.SenderNotAccepted => SmtpStage.Sender,
                    SmtpErrorCode.RecipientNotAccepted => SmtpStage.Recipient,
                    SmtpErrorCode.MessageNotAccepted => SmtpStage.Data,
                    _ => SmtpStage.Session,
                };
                var failure = SmtpReply.Classify(stage, (int)e.StatusCode, e.Message);
                // After a temporary or relay-wide refusal the session is in an unknown state: start a new one.
                if (failure is DeliveryFailure.Transient or DeliveryFailure.RelayDown or DeliveryFailure.Fatal) Reset();
                throw new DeliveryException(failure, $"{(int)e.StatusCode} {e.Message}", e);
            }
            catch (ServiceNotAuthenticatedException e)
            {
                // MailKit's form of "530 authentication required": the relay wants a login it did not get.
                Reset();
                throw new DeliveryException(DeliveryFailure.Fatal, $"530 {e.Message}", e);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Reset();
                throw new DeliveryException(DeliveryFailure.Transient, $"no complete reply within Smtp:MessageDeadline ({options.MessageDeadline})", e);
            }
            catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or TimeoutException or ServiceNotConnectedException)
            {
                // After a drop or a timeout the session is in an unknown state: start a new one next time.
                Reset();
                throw new DeliveryException(DeliveryFailure.Transient,
                    e is TimeoutException ? $"timed out after {options.Timeout.TotalSeconds:0}s" : $"connection lost: {e.Message}", e);
            }
            finally
            {
                Patience.Reset();
            }
        }

        /// <summary>
        /// Once the message's bytes flow, the relay may have it: a reply given up on after Smtp:Timeout and a
        /// retry deliver it twice. So the wait for the final reply is bounded by Smtp:MessageDeadline only (RFC
        /// 5321 4.5.3.2.6 gives it 10 minutes); MailKit reads the size-and-bytes progress on the same stream, so
        /// raising its timeout at the first byte reaches exactly the reads that follow (the final reply).
        /// </summary>
        private sealed class PatientForAcceptance(SmtpClient client, SmtpOptions options) : ITransferProgress
        {
            private bool _raised;

            public void Report(long bytesTransferred, long totalSize) => Report(bytesTransferred);

            public void Report(long bytesTransferred)
            {
                if (_raised) return;
                _raised = true;
                client.Timeout = (int)options.MessageDeadline.TotalMilliseconds;
            }

            public void Reset()
            {
                if (!_raised) return;
                _raised = false;
                // Also when the session was dropped: MailKit gives the next one the timeout set last.
                client.Timeout = (int)options.Timeout.TotalMilliseconds;
            }
        }

        private void Reset()
        {
            if (_client.IsConnected) _client.Disconnect(false);
        }

        /// <summary>
        /// Opens the session: TCP, greeting, EHLO, TLS, AUTH. Whatever goes wrong here is the relay's failure,
        /// never a reader's: a server that does not answer, answers 421, stalls or refuses the login.
        /// </summary>
        private async Task ConnectAsync(CancellationToken deadline, CancellationToken cancellationToken)
        {
            var host = options.Host!;
            var where = $"{host}:{options.Port}";
            // Nagle's algorithm holds the last small write of each message until the server's delayed ACK
            // (about 40 ms a message); a socket with NoDelay sends at once (MailKit issue #1408).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var connected = false;
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline))
                {
                    timeout.CancelAfter(options.Timeout);
                    await socket.ConnectAsync(host, options.Port, timeout.Token);
                }
                await _client.ConnectAsync(new WriteBehindStream(socket), host, options.Port, SocketOptions(options), deadline);
                connected = true;
                if (!string.IsNullOrEmpty(options.Username))
                    await _client.AuthenticateAsync(options.Username, ReadPassword(options), deadline);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && RelayFailure(e, where, connected) is { } failure)
            {
                if (_client.IsConnected) _client.Disconnect(false);
                socket.Dispose();
                throw failure;
            }
        }

        /// <summary>What an admin reads when the session could not be opened; the server's words only, never the password.</summary>
        private DeliveryException? RelayFailure(Exception e, string where, bool connected) => e switch
        {
            SslHandshakeException => new DeliveryException(DeliveryFailure.Fatal, $"TLS with {where} failed: {e.Message.ReplaceLineEndings(" ").TrimEnd()} {TlsHint(options)}", e),
            NotSupportedException => new DeliveryException(DeliveryFailure.Fatal, $"{where} does not offer STARTTLS, which Digest:Smtp:Security requires", e),
            AuthenticationException or SaslException => new DeliveryException(DeliveryFailure.Fatal, $"{where} refused the credentials of {options.Username}: {e.Message}", e),
            ServiceNotAuthenticatedException => new DeliveryException(DeliveryFailure.Fatal, $"{where} requires a login (Digest:Smtp:Username): 530 {e.Message}", e),
            SmtpCommandException c => new DeliveryException(SmtpReply.Classify(SmtpStage.Session, (int)c.StatusCode, c.Message),
                $"cannot connect to {where}: {(int)c.StatusCode} {c.Message}", e) { ConnectFailed = true },
            OperationCanceledException or TimeoutException => new DeliveryException(DeliveryFailure.RelayDown,
                connected ? $"{where} stalled while logging in (no reply within Smtp:Timeout {options.Timeout} or Smtp:MessageDeadline {options.MessageDeadline})"
                          : $"cannot connect to {where}: no greeting within Smtp:Timeout {options.Timeout} or Smtp:MessageDeadline {options.MessageDeadline}", e) { ConnectFailed = true },
            SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException => new DeliveryException(DeliveryFailure.RelayDown,
                $"cannot connect to {where}: {e.Message}", e) { ConnectFailed = true },
            _ => null,
        };

        /// <summary>The setting that fixes a refused certificate, for the error an admin reads.</summary>
        private static string TlsHint(SmtpOptions o)
        {
            if (!string.IsNullOrWhiteSpace(o.TrustedCertificateFile))
                return $"The relay's certificate is neither the one in Digest:Smtp:TrustedCertificateFile ({o.TrustedCertificateFile}) nor one a trusted CA signed for this host";
            var hint = "If the relay's certificate is its own (self-signed, as a stock Postfix's), trust that one certificate with Digest:Smtp:TrustedCertificateFile (a copy of it, PEM)";
            return o.Security != SmtpSecurity.Auto && DigestOptionsValidator.IsLoopback(o.Host!)
                ? hint + "; for a relay on this machine, Digest:Smtp:Security=Auto also accepts it"
                : hint;
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
