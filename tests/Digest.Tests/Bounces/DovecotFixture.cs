using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Digest.Tests.Bounces;

/// <summary>Skips the test, with the reason, where Debian's dovecot-imapd is not installed.</summary>
public sealed class RequiresDovecotFactAttribute : FactAttribute
{
    public RequiresDovecotFactAttribute()
    {
        if (!File.Exists(DovecotFixture.Binary)) Skip = "dovecot-imapd is not installed (apt-get install dovecot-imapd): IMAP bounce tests skipped";
    }
}

/// <summary>
/// A real Dovecot IMAP server on loopback for one test class: a generated dovecot.conf, a passwd-file of
/// throwaway users with plain passwords, maildirs and the log in a temp folder. Each test takes a user of
/// its own, so tests share the server but never a mailbox.
/// </summary>
public sealed class DovecotFixture : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/dovecot";
    public const string Password = "bounce-test-password";

    private readonly string _root = Directory.CreateTempSubdirectory("digest-dovecot-").FullName;
    private Process? _dovecot;
    private int _users;

    public int Port { get; private set; }
    public string LogFile => Path.Combine(_root, "dovecot.log");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary)) return;
        Port = FreePort();
        var (login, internalUser, mailUser) = Users();
        // The temp folder is private to its creator; Dovecot's own users must reach the maildirs in it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(_root, "run"));
        Directory.CreateDirectory(Path.Combine(_root, "mail"));
        File.WriteAllText(Path.Combine(_root, "passwd"), "");
        if (mailUser.Name != Environment.UserName) Chown(Path.Combine(_root, "mail"), mailUser.Name);
        File.WriteAllText(Path.Combine(_root, "dovecot.conf"), $$"""
            base_dir = {{_root}}/run
            state_dir = {{_root}}/state
            log_path = {{LogFile}}
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_internal_user = {{internalUser}}
            default_login_user = {{login}}
            first_valid_uid = 1
            mail_location = maildir:{{_root}}/mail/%u
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{_root}}/passwd
            }
            userdb {
              driver = static
              args = uid={{mailUser.Uid}} gid={{mailUser.Gid}} home={{_root}}/mail/%u
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }
            """);
        _dovecot = Process.Start(new ProcessStartInfo(Binary, ["-F", "-c", Path.Combine(_root, "dovecot.conf")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await WaitForGreetingAsync();
    }

    /// <summary>A fresh user with an empty INBOX; returns the settings that point Digest's bounce reader at it.</summary>
    public Dictionary<string, string?> NewMailbox()
    {
        var user = $"bounces{Interlocked.Increment(ref _users)}";
        // Dovecot reads the passwd-file again when it changes, so users can be added while it runs.
        File.AppendAllText(Path.Combine(_root, "passwd"), $"{user}:{{PLAIN}}{Password}\n");
        return new Dictionary<string, string?>
        {
            ["Digest:Bounces:Imap:Host"] = "127.0.0.1",
            ["Digest:Bounces:Imap:Port"] = Port.ToString(),
            ["Digest:Bounces:Imap:Security"] = "None",
            ["Digest:Bounces:Imap:Username"] = user,
            ["Digest:Bounces:Imap:Password"] = Password,
            ["Digest:Bounces:Imap:Timeout"] = "00:00:10",
        };
    }

    public async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient { Timeout = 10_000 };
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, Password);
        return client;
    }

    public async Task AppendAsync(string user, params MimeMessage[] messages)
    {
        using var client = await ConnectAsync(user);
        foreach (var message in messages) await client.Inbox.AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    /// <summary>Subjects in a folder ('/' separates levels), in arrival order; empty when the folder does not exist.</summary>
    public async Task<IReadOnlyList<string>> SubjectsAsync(string user, string folder)
    {
        using var client = await ConnectAsync(user);
        IMailFolder target;
        try
        {
            target = folder == "INBOX" ? client.Inbox : await client.GetFolderAsync(folder.Replace('/', client.PersonalNamespaces[0].DirectorySeparator));
        }
        catch (FolderNotFoundException)
        {
            return [];
        }
        await target.OpenAsync(FolderAccess.ReadOnly);
        var subjects = new List<string>();
        for (var i = 0; i < target.Count; i++) subjects.Add((await target.GetMessageAsync(i)).Subject ?? "");
        await client.DisconnectAsync(true);
        return subjects;
    }

    public Task DisposeAsync()
    {
        if (_dovecot is { HasExited: false })
        {
            _dovecot.Kill(entireProcessTree: true);
            _dovecot.WaitForExit(5000);
        }
        _dovecot?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private async Task WaitForGreetingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new ImapClient { Timeout = 2000 };
                await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
                await client.DisconnectAsync(true);
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or ImapProtocolException)
            {
                if (_dovecot!.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"Dovecot did not start on 127.0.0.1:{Port}: {(_dovecot.HasExited ? _dovecot.StandardError.ReadToEnd() : "")} {(File.Exists(LogFile) ? File.ReadAllText(LogFile) : "")}", e);
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// Dovecot refuses to run its login process as root and to open mail as uid 0; as root the test uses
    /// Debian's own dovenull and dovecot users, otherwise everything runs as the current user.
    /// </summary>
    private static (string Login, string Internal, (string Name, string Uid, string Gid) Mail) Users()
    {
        if (Environment.UserName != "root")
        {
            var me = (Environment.UserName, Id("-u"), Id("-g"));
            return (Environment.UserName, Environment.UserName, me);
        }
        return ("dovenull", "dovecot", ("dovecot", Id("-u", "dovecot"), Id("-g", "dovecot")));
    }

    private static string Id(params string[] args)
    {
        using var id = Process.Start(new ProcessStartInfo("id", args) { RedirectStandardOutput = true })!;
        var value = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return value;
    }

    private static void Chown(string folder, string user)
    {
        using var chown = Process.Start("chown", ["-R", $"{user}:", folder]);
        chown.WaitForExit();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
