namespace Digest.Storage;

/// <summary>
/// Files with readers' names, addresses and working unsubscribe tokens (the store, its journal, outbox
/// messages, exports) are the owner's only: 0600, in folders of 0700, whatever the process's umask. Modes are
/// set on the open handle as well as at creation, so a file an older version left readable is closed up too.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (and missing parents) 0700; an existing folder is left as the admin made it.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows() || Directory.Exists(path)) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>Opens <paramref name="path"/> for writing, created (or kept) 0600.</summary>
    public static FileStream OpenWrite(string path, System.IO.FileMode mode = System.IO.FileMode.Create, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        return stream;
    }

    /// <summary>Makes an existing file 0600 (for files another library creates, such as LiteDB's).</summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        try
        {
            if (File.GetUnixFileMode(path) != FileMode) File.SetUnixFileMode(path, FileMode);
        }
        catch (FileNotFoundException)
        {
            // Gone between the look and the change: LiteDB's log file is deleted by whichever process
            // checkpoints the store, and a file that is not there holds nothing to protect.
        }
    }
}
