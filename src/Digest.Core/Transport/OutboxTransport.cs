using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace Digest.Transport;

/// <summary>
/// The embedded default when no SMTP host is set: each message becomes an .eml file in
/// <c>{outbox}/edition-NNNN/</c>, named after the recipient, so a rerun overwrites rather than duplicates.
/// </summary>
public sealed class OutboxTransport(string folder) : IMailTransport
{
    // Linux allows 255 bytes a name; ".eml.part" must still fit.
    private const int MaxNameBytes = 240;

    public string Folder { get; } = folder;
    public string Description => $"outbox {Path.GetFullPath(Folder)}";
    public int Connections => 1;

    public static string EditionFolder(string outbox, int edition) => Path.Combine(outbox, $"edition-{edition:D4}");

    /// <summary>
    /// The file name (without <c>.eml</c>) of a reader's message: the address as the ledger keys it
    /// (lower-cased), with letters, digits, <c>@ . - _</c> kept and every other character percent-escaped,
    /// so two readers never share a file (<c>a+b@</c> is <c>a%2Bb@</c>, <c>a_b@</c> stays) and the name
    /// still reads as the address. A name too long for the file system is cut and ends in a hash of the address.
    /// </summary>
    public static string FileName(string address)
    {
        var key = address.ToLowerInvariant();
        var name = new StringBuilder(key.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in key.EnumerateRunes())
        {
            // A leading dot would hide the file; '%' is escaped too, so the escaping stays reversible.
            if (Rune.IsLetterOrDigit(rune) || (rune.Value is '@' or '-' or '_' || (rune.Value == '.' && name.Length > 0)))
                name.Append(rune.ToString());
            else
                foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
                    name.Append('%').Append(b.ToString("X2"));
        }
        var text = name.ToString();
        if (Encoding.UTF8.GetByteCount(text) <= MaxNameBytes) return text;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 8).ToLowerInvariant();
        // '~' is always escaped above, so a cut name cannot equal a whole one.
        var cut = text[..(MaxNameBytes / 4)];
        if (char.IsHighSurrogate(cut[^1])) cut = cut[..^1];
        return $"{cut}~{hash}";
    }

    public IMailConnection OpenConnection(int edition) => new Connection(EditionFolder(Folder, edition));

    private sealed class Connection(string folder) : IMailConnection
    {
        public async ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken, Func<Task>? acceptAfter = null)
        {
            if (acceptAfter is not null) await acceptAfter().WaitAsync(cancellationToken);
            // Each file holds a reader's address and a working unsubscribe link: the owner's only.
            Storage.PrivateFiles.CreateFolder(Path.GetDirectoryName(folder)!);
            Storage.PrivateFiles.CreateFolder(folder);
            var file = Path.Combine(folder, FileName(message.To.Mailboxes.First().Address) + ".eml");
            var partial = file + ".part";
            try
            {
                await using (var stream = Storage.PrivateFiles.OpenWrite(partial))
                    await message.WriteToAsync(stream, cancellationToken);
                File.Move(partial, file, overwrite: true);
            }
            catch (IOException e)
            {
                throw new DeliveryException(DeliveryFailure.Fatal, $"cannot write {file}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new DeliveryException(DeliveryFailure.Fatal, $"cannot write {file}: {e.Message}", e);
            }
            return $"written to {file}";
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
