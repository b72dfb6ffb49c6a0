using System.Security.Cryptography;
using Digest.Storage.LiteDb;
using Digest.Tests.Support;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Storage.LiteDb;

/// <summary>The LiteDB store carries its schema version: older ones are migrated, newer ones refused untouched.</summary>
public sealed class StoreVersionTests : WorkspaceTest
{
    private string StorePath => Ws.Settings["Digest:Store:Path"]!;
    private string ComparisonFile => Path.Combine(Ws.ImportPath, "c.json");

    public StoreVersionTests() => Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

    private int UserVersion()
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared, ReadOnly = true });
        return db.UserVersion;
    }

    private void Stamp(int version)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared });
        db.UserVersion = version;
    }

    [Fact]
    public async Task A_store_stamped_by_a_newer_Digest_is_refused_with_exit_2_naming_the_file_and_both_versions_and_is_left_unchanged()
    {
        Assert.Equal(0, (await Ws.RunAsync("import", ComparisonFile)).ExitCode);
        var newer = LiteDbSchema.Current + 1;
        Stamp(newer);
        var before = SHA256.HashData(File.ReadAllBytes(StorePath));
        var modified = File.GetLastWriteTimeUtc(StorePath);

        foreach (var args in new[] { ["status"], ["import", ComparisonFile], ["send-now"], new[] { "backup", Path.Combine(Ws.Root, "b.db") } })
        {
            var result = await Ws.RunAsync(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
            Assert.Contains(StorePath, result.Error);
            Assert.Contains($"schema version {newer}", result.Error);
            Assert.Contains($"up to version {LiteDbSchema.Current}", result.Error);
            Assert.Contains("upgrade Digest or restore a backup", result.Error);
            Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(StorePath)));
            Assert.Equal(modified, File.GetLastWriteTimeUtc(StorePath));
        }
        Assert.False(File.Exists(Path.Combine(Ws.Root, "b.db")));
        Assert.Empty(Ws.OutboxFiles(1));
    }

    [Fact]
    public async Task A_store_from_before_schema_versions_is_read_as_version_1_and_stamped_by_the_first_command_that_writes()
    {
        Assert.Equal(0, (await Ws.RunAsync("import", ComparisonFile)).ExitCode);
        Assert.Equal(LiteDbSchema.Current, UserVersion());
        // What every store made before this change holds: LiteDB's default, no version.
        Stamp(0);

        var status = await Ws.RunAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(0, UserVersion());

        var send = await Ws.RunAsync("send-now");
        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Equal(LiteDbSchema.Current, UserVersion());
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
    }

    [Fact]
    public void Migration_steps_run_in_order_from_the_store_s_version_each_logged_and_stamped_and_a_failed_step_keeps_the_version_it_reached()
    {
        using (new LiteDbStore(StorePath)) { }
        Stamp(0);
        var log = new LogCapture();
        LiteDbSchema.Step[] steps =
        [
            new(2, "notes get a collection", db => db.GetCollection("notes").Insert(new BsonDocument { ["_id"] = "two" })),
            new(3, "notes get a second document", db => db.GetCollection("notes").Insert(new BsonDocument { ["_id"] = "three" })),
            new(4, "a step that fails", _ => throw new InvalidOperationException("disk says no")),
        ];

        using (var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared }))
        {
            var failure = Assert.Throws<InvalidOperationException>(() => LiteDbSchema.Migrate(db, StorePath, log.CreateLogger("test"), steps));
            Assert.Contains("disk says no", failure.Message);
            Assert.Equal(3, db.UserVersion);
            Assert.Equal(["three", "two"], db.GetCollection("notes").FindAll().Select(d => d["_id"].AsString).Order());
        }
        Assert.Contains(log.Lines, l => l.Contains("from version 1 to 2") && l.Contains("notes get a collection"));
        Assert.Contains(log.Lines, l => l.Contains("from version 2 to 3"));
        Assert.Contains(log.Lines, l => l.Contains("to version 4 (a step that fails) failed"));

        // The next open goes on from where it stopped: steps 2 and 3 do not run again.
        using (var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared }))
        {
            LiteDbSchema.Migrate(db, StorePath, log.CreateLogger("test"), steps[..2]);
            Assert.Equal(3, db.UserVersion);
            Assert.Equal(2, db.GetCollection("notes").Count());
        }
    }
}
