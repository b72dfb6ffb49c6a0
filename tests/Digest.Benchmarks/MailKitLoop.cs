using System.Diagnostics;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Digest.Benchmarks;

/// <summary>
/// The code a .NET developer would write by hand in an afternoon, for the end-to-end benchmark's row of the
/// same name: one .eml parsed once (per connection, as <see cref="MimeMessage"/> is not thread-safe),
/// re-addressed per recipient and sent over reused connections on NoDelay sockets. Nothing rendered, nothing
/// recorded: what Digest does on top of this (a message per reader, a ledger) is what it must pay for.
/// <code>dotnet run -c Release --project tests/Digest.Benchmarks -- mailkit-loop --eml FILE --port P [--count 10000] [--connections 4]</code>
/// Prints "sent N in S s"; exit code 1 when a message was refused.
/// </summary>
public static class MailKitLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var eml = Arg("--eml") ?? throw new ArgumentException("mailkit-loop needs --eml FILE");
        var host = Arg("--host") ?? "127.0.0.1";
        var port = int.Parse(Arg("--port") ?? throw new ArgumentException("mailkit-loop needs --port P"));
        var count = int.Parse(Arg("--count") ?? "10000");
        var connections = int.Parse(Arg("--connections") ?? "4");
        var bytes = await File.ReadAllBytesAsync(eml);
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var message = MimeMessage.Load(new MemoryStream(bytes));
            // The outbox file shows the VERP return path; over SMTP it is the envelope, not a header.
            message.Headers.Remove(HeaderId.ReturnPath);
            var sender = message.From.Mailboxes.First();
            using var client = new SmtpClient();
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(host, port);
            await client.ConnectAsync(socket, host, port, SecureSocketOptions.None);
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var reader = new MailboxAddress($"Reader {i}", $"reader.{i}@example.com");
                message.To.Clear();
                message.To.Add(reader);
                await client.SendAsync(message, sender, [reader]);
            }
            await client.DisconnectAsync(true);
        })));
        Console.WriteLine($"sent {count} in {watch.Elapsed.TotalSeconds:0.000} s");
        return 0;
    }
}
