using Digest.Ledger;
using Digest.Storage.LiteDb;
using Digest.Tests.Support;
using Digest.Worker.Cli;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Digest.Tests.Storage.LiteDb;

/// <summary>`digest backup FILE`: a whole copy of the LiteDB store, taken while a worker sends from it.</summary>
public sealed class BackupTests(ITestOutputHelper log) : SinkTest
{
    private const int Readers = 2000;

    private string BackupPath => Path.Combine(Ws.Root, "backup", "digest-backup.db");

    public override Task InitializeAsync()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D5}@example.com", (string?)$"Reader {i}")).ToArray());
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_backup_taken_while_send_now_sends_opens_whole_holds_what_was_recorded_and_the_send_finishes_every_reader_once()
    {
        // Slowed so the send is still going when the backup is taken, and after it.
        Sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var sender = ChildWorker.Start(Ws, "send-now");
        await WaitForAsync(() => SentInStore() >= 200 || sender.HasExited);
        Assert.False(sender.HasExited, sender.Output);

        var recordedBefore = SentInStore();
        var backup = await Ws.RunAsync("backup", BackupPath);
        var acceptedAfter = Sink.Messages.Count;
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.False(sender.HasExited, "the send finished before the backup did: it did not run beside a send");
        log.WriteLine(backup.Output);

        // The copy opens (the integrity check runs on opening) and holds the whole plan and every outcome recorded
        // before it was taken; nothing the relay had not accepted by its end.
        using (var copy = new LiteDbStore(BackupPath, readOnly: true))
        {
            Assert.Equal(Readers, copy.Deliveries.Count());
            var sent = copy.Deliveries.Count(d => d.State == DeliveryState.Sent);
            log.WriteLine($"recorded sent before the backup {recordedBefore}, in the backup {sent}, accepted by the relay when it ended {acceptedAfter}");
            Assert.InRange(sent, recordedBefore, acceptedAfter);
        }
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(BackupPath)!, "digest-backup-log.db")));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(BackupPath)!));

        var status = await StatusOfAsync(BackupPath);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("#1", status.Output);
        Assert.Contains($"{Readers} readers", status.Output);

        Assert.True(await sender.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, sender.Output);
        var perReader = Sink.Messages.GroupBy(m => m.Recipients.Single()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Readers, perReader.Count);
        Assert.All(perReader.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_backup_refuses_a_file_that_exists_and_replaces_it_with_force()
    {
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"))).ExitCode);
        Directory.CreateDirectory(Path.GetDirectoryName(BackupPath)!);
        File.WriteAllText(BackupPath, "last week's copy");

        var refused = await Ws.RunAsync("backup", BackupPath);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains(BackupPath, refused.Error);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("last week's copy", File.ReadAllText(BackupPath));

        var forced = await Ws.RunAsync("backup", "--force", BackupPath);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        using var copy = new LiteDbStore(BackupPath, readOnly: true);
        Assert.Equal(1, copy.Comparisons.Count());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(BackupPath)!));
    }

    [Fact]
    public async Task A_backup_copies_the_store_as_it_is_and_never_writes_to_it_not_even_to_migrate_an_older_one()
    {
        var store = Ws.Settings["Digest:Store:Path"]!;
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"))).ExitCode);
        // As a store made before schema versions: a backup taken by a newer build before it first runs must be that store.
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = store, Connection = LiteDB.ConnectionType.Shared }))
            db.UserVersion = 0;
        var before = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(store));
        var modified = File.GetLastWriteTimeUtc(store);

        var backup = await Ws.RunAsync("backup", BackupPath);
        Assert.True(backup.ExitCode == 0, backup.ToString());

        Assert.Equal(before, System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(store)));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(store));
        using var copy = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = BackupPath, Connection = LiteDB.ConnectionType.Shared, ReadOnly = true });
        Assert.Equal(0, copy.UserVersion);
        Assert.Equal(1, copy.GetCollection("comparisons").Count());
    }

    [Fact]
    public async Task A_backup_onto_the_store_itself_is_refused()
    {
        var store = Ws.Settings["Digest:Store:Path"]!;
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"))).ExitCode);
        var before = File.ReadAllBytes(store);

        var refused = await Ws.RunAsync("backup", "--force", store);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("is the store itself", refused.Error);
        Assert.Equal(before, File.ReadAllBytes(store));
    }

    [Fact]
    public async Task A_backup_of_a_PostgreSQL_store_says_to_use_pg_dump()
    {
        Ws.Settings["Digest:Store:Provider"] = "PostgreSql";
        Ws.Settings["Digest:Store:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=digest;Username=digest";

        var refused = await Ws.RunAsync("backup", BackupPath);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("pg_dump", refused.Error);
        Assert.False(File.Exists(BackupPath));
    }

    private int SentInStore()
    {
        using var services = Ws.Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        return ledger.Count(1).Sent;
    }

    private async Task<CliResult> StatusOfAsync(string store)
    {
        var settings = new Dictionary<string, string?>(Ws.Settings) { ["Digest:Store:Path"] = store };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await DigestCli.RunAsync(["status", "--width", "80"], output, error, settings);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
