using Digest.Tests.Support;

namespace Digest.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
/// <summary>Files that hold names, addresses and working unsubscribe tokens are the owner's only, whatever the umask.</summary>
public sealed class PrivateFilesTests : WorkspaceTest
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task The_store_its_journal_and_the_outbox_are_private_even_with_umask_000_and_the_archive_stays_readable()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        var data = Path.Combine(Ws.Root, "data");

        using var send = ChildWorker.StartWithUmask(Ws, "000", "send-now");
        Assert.True(await send.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, send.Output);

        Assert.Equal(OwnerFolder, File.GetUnixFileMode(data));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(Path.Combine(data, "digest.db")));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(Ws.OutboxPath));
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(Path.Combine(Ws.OutboxPath, "edition-0001")));
        var messages = Ws.OutboxFiles(1);
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.Equal(OwnerFile, File.GetUnixFileMode(m)));
        // Whatever else is beside the store (the journal, LiteDB's log) is the owner's only.
        Assert.All(Directory.GetFiles(data), f => Assert.True((File.GetUnixFileMode(f) & ~OwnerFile) == 0, $"{f}: {File.GetUnixFileMode(f)}"));
        Assert.True(File.GetUnixFileMode(Path.Combine(Ws.ArchivePath, "edition-0001.html")).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void The_journal_is_created_private()
    {
        var store = Path.Combine(Ws.Root, "digest.db");
        var journal = new Digest.Storage.LiteDb.OutcomeJournal(store);

        using (journal.Open()) { }

        Assert.Equal(OwnerFile, File.GetUnixFileMode(journal.Path));
    }

    [Fact]
    public async Task An_exported_suppression_list_is_private()
    {
        Assert.Equal(0, (await Ws.RunAsync("unsubscribe", "ada@example.com")).ExitCode);
        var export = Path.Combine(Ws.Root, "suppressed.csv");

        var result = await Ws.RunAsync("suppressions", "--export", export);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(OwnerFile, File.GetUnixFileMode(export));
    }
}
