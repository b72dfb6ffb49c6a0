using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MimeKit;

namespace Digest.Tests.Sink;

/// <summary>
/// A small SMTP server on loopback that speaks enough real SMTP (EHLO, PIPELINING, MAIL, RCPT, DATA, RSET,
/// NOOP, QUIT) for MailKit, keeps every message it accepts, and injects faults per recipient. Written here
/// because no SMTP server package is served to this project; it is test code, not a mock of the wire.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedMessage> _messages = new();
    private readonly ConcurrentDictionary<string, int> _softRejects = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Task, byte> _sessions = new();
    private readonly ConcurrentDictionary<string, Task> _holds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _accepting;
    private int _connections;
    private int _accepted;
    private int _tlsSessions;

    /// <param name="port">0 for any free port; a given port to bring a "dead" server back to life in a test.</param>
    public SmtpSink(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public IReadOnlyList<ReceivedMessage> Messages => _messages.ToArray();
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Sessions that completed a STARTTLS handshake.</summary>
    public int TlsSessions => Volatile.Read(ref _tlsSessions);

    /// <summary>Set: STARTTLS is offered with this certificate (as Debian's Postfix does with its self-signed one).</summary>
    public X509Certificate2? StartTlsCertificate { get; set; }

    /// <summary>RCPT TO these addresses is refused for good: 550.</summary>
    public HashSet<string> HardReject { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Refuse MAIL FROM with this reply (e.g. "550 5.7.1 sender not allowed"): the server refuses everyone.</summary>
    public string? RejectSender { get; set; }

    /// <summary>Close the connection without a reply after this many messages accepted in total (once).</summary>
    public int? DropAfterMessages { get; set; }

    /// <summary>Wait this long before answering the end of DATA.</summary>
    public TimeSpan DataDelay { get; set; }

    /// <summary>
    /// A message to these addresses is accepted (kept) at once, but the 250 answering its end of DATA comes this much
    /// later, as a relay busy scanning content answers: the client cannot tell a slow acceptance from a lost one.
    /// </summary>
    public ConcurrentDictionary<string, TimeSpan> SlowAcknowledge { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Stall forever (until the client gives up) on the DATA of these recipients.</summary>
    public HashSet<string> Stall { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>RCPT TO any address gets this reply (e.g. "554 5.7.1 Relay access denied"), as a relay that wants a login does.</summary>
    public string? RejectEveryRecipient { get; set; }

    /// <summary>RCPT TO these addresses gets the given reply instead of 250.</summary>
    public ConcurrentDictionary<string, string> RecipientReply { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The end of DATA for a message to these addresses gets the given reply instead of 250 (a content filter).</summary>
    public ConcurrentDictionary<string, string> DataReply { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Answer a connection with this instead of the greeting, then close it (e.g. "421 4.3.2 service not available").</summary>
    public string? RefuseConnection { get; set; }

    /// <summary>Accept TCP and never greet.</summary>
    public bool NeverGreet { get; set; }

    /// <summary>Offer AUTH PLAIN and never answer it.</summary>
    public bool StallAtAuth { get; set; }

    /// <summary>Answer EHLO with an endless multi-line reply, one line every <see cref="DripInterval"/>.</summary>
    public bool DripEhlo { get; set; }
    public TimeSpan DripInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Refuse a message with a line longer than this many octets (CRLF included) with "500 Line too long", as
    /// aiosmtpd does at 1,000 (RFC 5321 4.5.3.1.6).
    /// </summary>
    public int LineLengthLimit { get; set; } = 1000;

    /// <summary>Called with the address as each RCPT TO is read, before it is answered.</summary>
    public Action<string>? OnRecipient { get; set; }

    /// <summary>Holds the reply to the DATA of <paramref name="recipient"/> until <paramref name="release"/> completes.</summary>
    public void HoldData(string recipient, Task release) => _holds[recipient] = release;

    /// <summary>RCPT TO the address gets 450 the first <paramref name="times"/> times.</summary>
    public void SoftReject(string address, int times) => _softRejects[address] = times;

    public IReadOnlyList<ReceivedMessage> To(string address) =>
        Messages.Where(m => m.Recipients.Contains(address, StringComparer.OrdinalIgnoreCase)).ToList();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            var session = Task.Run(() => SessionAsync(client));
            _sessions[session] = 0;
            _ = session.ContinueWith(t => _sessions.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        Stream stream = client.GetStream();
        var reader = new LineReader(stream);
        var tls = false;
        async Task Reply(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);
        try
        {
            if (NeverGreet)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            if (RefuseConnection is { } refusal421)
            {
                await Reply(refusal421);
                return;
            }
            await Reply("220 sink.test ESMTP ready");
            string? from = null;
            long? declaredSize = null;
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        while (DripEhlo)
                        {
                            await Reply("250-sink.test is still thinking");
                            await Task.Delay(DripInterval, _stop.Token);
                        }
                        var startTls = StartTlsCertificate is not null && !tls ? "250-STARTTLS\r\n" : "";
                        await Reply($"250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n{startTls}250-SIZE 52428800\r\n"
                                    + (StallAtAuth ? "250-AUTH PLAIN LOGIN\r\n" : "") + "250 ENHANCEDSTATUSCODES");
                        break;
                    case "AUTH":
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        break;
                    case "STAR" when StartTlsCertificate is { } certificate && !tls:
                        await Reply("220 2.0.0 ready to start TLS");
                        var ssl = new SslStream(stream);
                        // RFC 3207: the session starts over after the handshake, the client says EHLO again.
                        await ssl.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                        Interlocked.Increment(ref _tlsSessions);
                        (stream, reader, tls, from) = (ssl, new LineReader(ssl), true, null);
                        recipients.Clear();
                        break;
                    case "HELO":
                        await Reply("250 sink.test");
                        break;
                    case "MAIL":
                        if (RejectSender is { } refusal)
                        {
                            await Reply(refusal);
                            break;
                        }
                        from = Address(line);
                        declaredSize = DeclaredSize(line);
                        recipients.Clear();
                        await Reply("250 2.1.0 ok");
                        break;
                    case "RCPT":
                        var rcpt = Address(line);
                        OnRecipient?.Invoke(rcpt);
                        if (RejectEveryRecipient is { } everyone)
                            await Reply(everyone);
                        else if (RecipientReply.TryGetValue(rcpt, out var custom))
                            await Reply(custom);
                        else if (HardReject.Contains(rcpt))
                            await Reply($"550 5.1.1 <{rcpt}>: mailbox unavailable");
                        else if (_softRejects.TryGetValue(rcpt, out var left) && left > 0 && _softRejects.TryUpdate(rcpt, left - 1, left))
                            await Reply($"450 4.2.1 <{rcpt}>: try again later");
                        else
                        {
                            recipients.Add(rcpt);
                            await Reply("250 2.1.5 ok");
                        }
                        break;
                    case "DATA":
                        if (recipients.Count == 0)
                        {
                            await Reply("554 5.5.1 no valid recipients");
                            break;
                        }
                        await Reply("354 end with <CRLF>.<CRLF>");
                        var (data, longest) = await reader.ReadDataAsync(_stop.Token);
                        if (longest + 2 > LineLengthLimit)
                        {
                            recipients.Clear();
                            await Reply("500 Line too long");
                            break;
                        }
                        if (recipients.Select(r => DataReply.GetValueOrDefault(r)).FirstOrDefault(r => r is not null) is { } dataRefusal)
                        {
                            recipients.Clear();
                            await Reply(dataRefusal);
                            break;
                        }
                        if (recipients.Any(Stall.Contains))
                        {
                            await Task.Delay(Timeout.Infinite, _stop.Token);
                        }
                        foreach (var held in recipients)
                            if (_holds.TryGetValue(held, out var release)) await release.WaitAsync(_stop.Token);
                        if (DataDelay > TimeSpan.Zero) await Task.Delay(DataDelay, _stop.Token);
                        var count = Interlocked.Increment(ref _accepted);
                        if (DropAfterMessages is { } drop && count > drop)
                        {
                            DropAfterMessages = null;
                            Interlocked.Decrement(ref _accepted);
                            client.Client.Close(0);
                            return;
                        }
                        _messages.Enqueue(new ReceivedMessage(from ?? "", recipients.ToList(), data, DateTime.UtcNow, declaredSize));
                        var slow = recipients.Select(r => SlowAcknowledge.GetValueOrDefault(r)).Max();
                        recipients.Clear();
                        if (slow > TimeSpan.Zero) await Task.Delay(slow, _stop.Token);
                        await Reply("250 2.0.0 queued");
                        break;
                    case "RSET":
                        from = null;
                        recipients.Clear();
                        await Reply("250 2.0.0 ok");
                        break;
                    case "NOOP":
                        await Reply("250 2.0.0 ok");
                        break;
                    case "QUIT":
                        await Reply("221 2.0.0 bye");
                        return;
                    default:
                        await Reply("502 5.5.2 command not recognized");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
        {
            // The client went away (or refused the certificate) or the sink is stopping.
        }
    }

    /// <summary>A loopback port nobody listens on: a server that is down.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static long? DeclaredSize(string line) =>
        line.Split(' ').FirstOrDefault(p => p.StartsWith("SIZE=", StringComparison.OrdinalIgnoreCase)) is { } size && long.TryParse(size[5..], out var n) ? n : null;

    private static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':') + 1)..].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_sessions.Keys);
        _stop.Dispose();
    }

    /// <summary>Reads CRLF lines and the DATA section from a stream, keeping pipelined bytes for the next read.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        public async Task<string?> ReadLineAsync(CancellationToken token)
        {
            var line = await ReadRawLineAsync(token);
            return line is null ? null : Encoding.UTF8.GetString(line);
        }

        /// <returns>The message and its longest line in octets, without the CRLF.</returns>
        public async Task<(byte[] Data, int Longest)> ReadDataAsync(CancellationToken token)
        {
            var data = new MemoryStream();
            var longest = 0;
            while (await ReadRawLineAsync(token) is { } line)
            {
                if (line.Length == 1 && line[0] == (byte)'.') return (data.ToArray(), longest);
                longest = Math.Max(longest, line.Length);
                // RFC 5321 4.5.2: a leading dot was doubled by the client.
                var offset = line.Length > 0 && line[0] == (byte)'.' ? 1 : 0;
                data.Write(line, offset, line.Length - offset);
                data.Write("\r\n"u8);
            }
            throw new IOException("connection closed in DATA");
        }

        private async Task<byte[]?> ReadRawLineAsync(CancellationToken token)
        {
            var line = new MemoryStream();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                {
                    if (_buffer[i] != (byte)'\n') continue;
                    line.Write(_buffer, _start, i - _start);
                    _start = i + 1;
                    var bytes = line.ToArray();
                    return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
                }
                line.Write(_buffer, _start, _end - _start);
                _start = _end = 0;
                var read = await stream.ReadAsync(_buffer, token);
                if (read == 0) return null;
                _end = read;
            }
        }
    }
}

/// <summary>A message as it reached the sink: envelope and the exact bytes.</summary>
/// <param name="DeclaredSize">The SIZE= the client gave with MAIL FROM (RFC 1870), if any.</param>
public sealed record ReceivedMessage(string From, IReadOnlyList<string> Recipients, byte[] Data, DateTime At, long? DeclaredSize = null)
{
    public MimeMessage Parse() => MimeMessage.Load(new MemoryStream(Data));
}
