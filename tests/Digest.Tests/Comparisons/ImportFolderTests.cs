using System.Runtime.InteropServices;
using Digest.Tests.Support;

namespace Digest.Tests.Comparisons;

/// <summary>
/// The import folder is read by every `send-now` and at `run` start-up: one entry that cannot be read must
/// cost that entry only. Tests run as root, so chmod cannot make a file unreadable; a named pipe (which
/// would block a plain read for ever) and a symlink loop stand in for an entry that cannot be read.
/// </summary>
public sealed class ImportFolderTests : WorkspaceTest
{
    private (string Dangling, string Loop, string Pipe, string Directory) WriteBadEntries()
    {
        Ws.WriteComparisons("good.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        var dangling = Path.Combine(Ws.ImportPath, "a-dangling.json");
        File.CreateSymbolicLink(dangling, Path.Combine(Ws.ImportPath, "gone.json"));
        var loop = Path.Combine(Ws.ImportPath, "b-loop.json");
        File.CreateSymbolicLink(loop, loop);
        var pipe = Path.Combine(Ws.ImportPath, "c-pipe.json");
        Assert.Equal(0, MakeFifo(pipe, 0b110_100_100));
        var directory = Path.Combine(Ws.ImportPath, "d-folder.json");
        System.IO.Directory.CreateDirectory(directory);
        return (dangling, loop, pipe, directory);
    }

    [Fact]
    public async Task Send_now_logs_each_bad_entry_of_the_import_folder_with_its_path_skips_it_and_sends_the_rest()
    {
        var bad = WriteBadEntries();

        using var child = ChildWorker.Start(Ws, "send-now");
        var exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, child.Output);
        Assert.Contains($"Import folder: {bad.Dangling} was skipped: a link to a file that does not exist", child.Output);
        Assert.Contains($"Import folder: {bad.Loop} was skipped: cannot be read", child.Output);
        Assert.Contains($"Import folder: {bad.Pipe} was skipped: not a regular file with content", child.Output);
        Assert.Contains("Edition 1: 3 sent", child.Output);
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
    }

    [Fact]
    public async Task Run_logs_each_bad_entry_of_the_import_folder_and_starts()
    {
        var bad = WriteBadEntries();
        Ws.Settings["Digest:Schedule:Cron"] = "0 0 9 1 1 ? 2099";

        using var child = ChildWorker.Start(Ws, "run");
        await WaitForOutputAsync(child, "Worker started");
        child.Terminate();
        var exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, child.Output);
        Assert.Contains($"{bad.Dangling} was skipped", child.Output);
        Assert.Contains($"{bad.Loop} was skipped", child.Output);
        Assert.Contains($"{bad.Pipe} was skipped", child.Output);
        Assert.Contains("Imported 1 comparisons", child.Output);
    }

    private static async Task WaitForOutputAsync(ChildWorker child, string fragment)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!child.Output.Contains(fragment, StringComparison.Ordinal))
        {
            if (child.HasExited)
            {
                // Let the output drain, so the failure shows what the worker said before it exited.
                await child.WaitForExitAsync(TimeSpan.FromSeconds(10));
                Assert.Fail($"the worker exited before \"{fragment}\":\n{child.Output}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"no \"{fragment}\" within 60 s:\n{child.Output}");
            await Task.Delay(50);
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);
}
