using Digest.Storage.PostgreSql;

namespace Digest.Tests.Storage.PostgreSql;

public sealed class PostgreSqlSchemaTests(PostgresFixture server) : PostgreSqlTest(server)
{
    [RequiresPostgresFact]
    public async Task An_empty_database_gets_every_table_and_the_current_schema_version()
    {
        var source = Connect();

        Assert.Equal(0, PostgreSqlSchema.Migrate(source));

        Assert.Equal(PostgreSqlSchema.Current, await ScalarAsync(source, "SELECT max(version) FROM schema_version"));
        foreach (var table in new[] { "comparisons", "editions", "deliveries", "suppressions", "bounces", "imported_files", "leases", "schedule", "store_identity" })
            Assert.Equal(1, await ScalarAsync(source, $"SELECT count(*) FROM information_schema.tables WHERE table_name = '{table}'"));
    }

    [RequiresPostgresFact]
    public async Task Migrating_a_migrated_database_again_changes_nothing()
    {
        var source = Connect();
        PostgreSqlSchema.Migrate(source);
        await using (var insert = source.CreateCommand("INSERT INTO suppressions (email, reason, at) VALUES ('ann@example.com', 'Unsubscribed', now())"))
            await insert.ExecuteNonQueryAsync();

        Assert.Equal(PostgreSqlSchema.Current, PostgreSqlSchema.Migrate(source));

        Assert.Equal(1, await ScalarAsync(source, "SELECT count(*) FROM suppressions"));
        Assert.Equal(PostgreSqlSchema.Current, await ScalarAsync(source, "SELECT count(*) FROM schema_version"));
    }

    [RequiresPostgresFact]
    public async Task Four_workers_starting_at_once_on_an_empty_database_all_start_and_it_is_migrated_once()
    {
        var sources = Enumerable.Range(0, 4).Select(_ => Connect()).ToList();
        using var start = new Barrier(sources.Count);

        var before = await Task.WhenAll(sources.Select(s => Task.Run(() =>
        {
            start.SignalAndWait();
            return PostgreSqlSchema.Migrate(s);
        })));

        // Exactly one found the database empty; the others waited on the lock and found it migrated.
        Assert.Single(before, b => b == 0);
        Assert.Equal(3, before.Count(b => b == PostgreSqlSchema.Current));
        Assert.Equal(PostgreSqlSchema.Current, await ScalarAsync(sources[0], "SELECT count(*) FROM schema_version"));
    }
}
