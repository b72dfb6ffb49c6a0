using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// The list's secret: it signs unsubscribe links, VERP return paths and Message-IDs, so it must be the same
/// in every process that sends or answers for one store, for as long as mailed links live. A configured
/// Digest:Unsubscribe:Key (or KeyFile) wins; without one, a key is made once, on first use, and kept beside
/// the store (<c>data/digest.key</c> next to <c>data/digest.db</c>), readable by its owner only.
/// </summary>
public sealed class UnsubscribeKey(IOptions<DigestOptions> options, ILogger<UnsubscribeKey>? log = null)
{
    private readonly Lazy<byte[]> _bytes = new(() => Load(options.Value, log ?? NullLogger<UnsubscribeKey>.Instance));

    public byte[] Bytes => _bytes.Value;

    /// <summary>A key for one purpose, so a MAC of one kind is never valid as another.</summary>
    public byte[] DeriveFor(string purpose) => HMACSHA256.HashData(Bytes, Encoding.UTF8.GetBytes(purpose));

    /// <summary>The file a key is kept in when none is configured: beside the store, named after it.</summary>
    public static string FileBeside(string storePath)
    {
        var full = Path.GetFullPath(storePath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".key");
    }

    /// <summary>Where the key comes from, for the first line of every command; never the key itself.</summary>
    public static string Describe(DigestOptions o) =>
        !string.IsNullOrWhiteSpace(o.Unsubscribe.Key) ? "Digest:Unsubscribe:Key"
        : !string.IsNullOrWhiteSpace(o.Unsubscribe.KeyFile) ? Path.GetFullPath(o.Unsubscribe.KeyFile)
        : FileBeside(o.Store.Path);

    private static byte[] Load(DigestOptions o, ILogger log)
    {
        if (UnsubscribeTokens.ReadKey(o.Unsubscribe) is { } configured) return configured;
        var file = FileBeside(o.Store.Path);
        if (!File.Exists(file) && TryCreate(file))
            log.LogWarning(SubscriberEvents.UnsubscribeKeyMade, "No Digest:Unsubscribe:Key is set: made a new unsubscribe key in {KeyFile}; every process on this store uses it. Back it up with the store: without it, links already mailed stop working",
                file);
        return ReadBeside(file) ?? throw Damaged(file, "is empty");
    }

    /// <summary>
    /// Refuses a damaged key file beside the store at start-up, before anything is sent with links that could
    /// never be verified; a missing one is fine (it is made when first needed).
    /// </summary>
    public static void CheckExisting(DigestOptions o)
    {
        if (UnsubscribeTokens.ReadKey(o.Unsubscribe) is not null) return;
        var file = FileBeside(o.Store.Path);
        if (File.Exists(file) && ReadBeside(file) is null) throw Damaged(file, "is empty");
    }

    private static byte[]? ReadBeside(string file) =>
        UnsubscribeTokens.ReadKey(new UnsubscribeOptions { KeyFile = file }, $"The unsubscribe key file {file} (kept beside the store; restore it from a backup, or delete it to make a new one and lose every link already mailed)");

    private static OptionsValidationException Damaged(string file, string what) =>
        new("Digest", typeof(DigestOptions), [$"The unsubscribe key file {file} {what}: restore it from a backup, or delete it to make a new one (every link already mailed then stops working)."]);

    /// <summary>
    /// Writes the new key to a private temporary file and links it into place, so two processes starting at
    /// once agree on one key and nobody ever reads a half-written file. False when another process won.
    /// </summary>
    private static bool TryCreate(string file)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var temporary = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var stream = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // Set at creation, not after: the umask never gets a moment in which the key is readable by others.
        if (!OperatingSystem.IsWindows()) stream.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var writer = new StreamWriter(temporary, Encoding.ASCII, stream))
                writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(UnsubscribeTokens.MinimumKeyBytes)));
            File.Move(temporary, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
