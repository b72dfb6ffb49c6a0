using System.Diagnostics;

namespace Digest.Tests.Support;

/// <summary>
/// A real, small file system (tmpfs) mounted over a folder, so a test can run a disk full for real. Needs
/// root (or CAP_SYS_ADMIN); <see cref="RequiresSmallDiskFactAttribute"/> skips the test where mounting is not allowed.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    public string Path { get; }

    private SmallDisk(string path) => Path = path;

    public static SmallDisk? TryMount(string path, string size)
    {
        Directory.CreateDirectory(path);
        return Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path) == 0 ? new SmallDisk(path) : null;
    }

    /// <summary>Writes a file that takes every free byte; returns its path. Deleting it frees the space again.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // Full; write what fits in smaller pieces too, so not even a page is left.
        }
        try
        {
            while (true) file.Write(block, 0, 512);
        }
        catch (IOException)
        {
        }
        return filler;
    }

    /// <summary>
    /// Keeps the disk full until <paramref name="stop"/>: grabs every page another writer frees (a journal that is
    /// truncated and written again reuses its own pages), as a disk filled by something else stays full.
    /// </summary>
    public Task KeepFullAsync(string filler, CancellationToken stop) => Task.Run(async () =>
    {
        using var file = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var page = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                file.Write(page);
            }
            catch (IOException)
            {
                await Task.Delay(1, CancellationToken.None);
            }
        }
    });

    public void Dispose() => Run("umount", "-l", Path);

    private static int Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}

/// <summary>A test that needs to mount a small tmpfs: skipped, with the reason, where that is not allowed.</summary>
public sealed class RequiresSmallDiskFactAttribute : FactAttribute
{
    public RequiresSmallDiskFactAttribute()
    {
        var probe = Directory.CreateTempSubdirectory("digest-tmpfs-probe-").FullName;
        using (var disk = SmallDisk.TryMount(probe, "1m"))
            if (disk is null) Skip = "mounting a tmpfs is not allowed here (needs root or CAP_SYS_ADMIN): disk-full tests skipped";
        try { Directory.Delete(probe); } catch (IOException) { }
    }
}
