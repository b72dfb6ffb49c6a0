using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Digest.Bounces;

/// <summary>The bounce mailbox over IMAP with MailKit: list what waits, fetch one report, move it out of the way.</summary>
public sealed class ImapBounceMailbox : IAsyncDisposable
{
    private readonly BounceMailboxOptions _o;
    private readonly ImapClient _client;
    private readonly Dictionary<string, IMailFolder> _folders = new(StringComparer.Ordinal);
    private IMailFolder? _inbox;

    private ImapBounceMailbox(BounceMailboxOptions options)
    {
        _o = options;
        _client = new ImapClient { Timeout = (int)options.Timeout.TotalMilliseconds };
    }

    public string Description => $"imap {_o.Host}:{_o.Port} {_o.Folder}";

    /// <summary>Connects, logs in and opens the folder read-write; throws <see cref="BounceMailboxException"/> when it cannot.</summary>
    public static async Task<ImapBounceMailbox> OpenAsync(BounceMailboxOptions options, CancellationToken cancellationToken)
    {
        var mailbox = new ImapBounceMailbox(options);
        try
        {
            await mailbox._client.ConnectAsync(options.Host!, options.Port, SocketOptions(options), cancellationToken);
            await mailbox._client.AuthenticateAsync(options.Username!, ReadPassword(options), cancellationToken);
            mailbox._inbox = options.Folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase)
                ? mailbox._client.Inbox
                : await mailbox._client.GetFolderAsync(mailbox.Path(options.Folder), cancellationToken);
            await mailbox._inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            return mailbox;
        }
        catch (Exception e) when (IsMailboxFailure(e))
        {
            await mailbox.DisposeAsync();
            // The server's words only: never the password.
            throw new BounceMailboxException($"cannot open the bounce mailbox {mailbox.Description} as {options.Username}: {e.Message}", e);
        }
    }

    public async Task<IList<UniqueId>> WaitingAsync(CancellationToken cancellationToken) =>
        await Inbox.SearchAsync(SearchQuery.NotDeleted, cancellationToken);

    public Task<MimeMessage> GetAsync(UniqueId uid, CancellationToken cancellationToken) => Inbox.GetMessageAsync(uid, cancellationToken);

    /// <summary>Moves the message to <paramref name="folder"/> ('/' separates levels), creating the folder on first use.</summary>
    public async Task MoveAsync(UniqueId uid, string folder, CancellationToken cancellationToken)
    {
        var target = await FolderAsync(folder, cancellationToken);
        await Inbox.MoveToAsync(uid, target, cancellationToken);
    }

    /// <summary>True for the failures that mean the mailbox, not one message, is the trouble.</summary>
    public static bool IsMailboxFailure(Exception e) =>
        e is IOException or SocketException or TimeoutException or ImapProtocolException or ImapCommandException
            or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or FolderNotFoundException
            or FolderNotOpenException or NotSupportedException;

    private IMailFolder Inbox => _inbox ?? throw new InvalidOperationException("The bounce mailbox is not open.");

    private async Task<IMailFolder> FolderAsync(string path, CancellationToken cancellationToken)
    {
        if (_folders.TryGetValue(path, out var known)) return known;
        var folder = _client.GetFolder(_client.PersonalNamespaces[0])
                     ?? throw new FolderNotFoundException(path);
        // The configured path uses '/', the server its own separator (Dovecot's maildir uses '.').
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                folder = await folder.GetSubfolderAsync(name, cancellationToken);
            }
            catch (FolderNotFoundException)
            {
                folder = await folder.CreateAsync(name, true, cancellationToken) ?? throw new FolderNotFoundException(path);
            }
        }
        return _folders[path] = folder;
    }

    private string Path(string configured) =>
        string.Join(_client.PersonalNamespaces[0].DirectorySeparator, configured.Split('/', StringSplitOptions.RemoveEmptyEntries));

    private static SecureSocketOptions SocketOptions(BounceMailboxOptions o) => TlsPolicy.For(o.Security, o.Host!, o.Port, implicitTlsPort: 993);

    private static string ReadPassword(BounceMailboxOptions o) =>
        !string.IsNullOrEmpty(o.PasswordFile) ? File.ReadAllText(o.PasswordFile).TrimEnd('\r', '\n') : o.Password ?? "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception e) when (IsMailboxFailure(e))
        {
            // LOGOUT on a broken connection: nothing left to tell the server.
        }
        _client.Dispose();
    }
}

/// <summary>The bounce mailbox cannot be reached, logged into or opened.</summary>
public sealed class BounceMailboxException(string message, Exception inner) : Exception(message, inner);
