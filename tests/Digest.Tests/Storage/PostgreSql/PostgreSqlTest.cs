using Digest.Tests.Sink;
using Digest.Tests.Support;
using Npgsql;

namespace Digest.Tests.Storage.PostgreSql;

/// <summary>A test against a real PostgreSQL server: one throwaway cluster per class, a new database per test.</summary>
public abstract class PostgreSqlTest(PostgresFixture server) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly List<NpgsqlDataSource> _sources = [];

    protected PostgresFixture Server { get; } = server;

    /// <summary>The connection string of this test's own database.</summary>
    protected string Database { get; private set; } = "";

    /// <summary>A data source on this test's database; each call a separate pool, as a separate worker would have.</summary>
    protected NpgsqlDataSource Connect()
    {
        var source = NpgsqlDataSource.Create(Database);
        _sources.Add(source);
        return source;
    }

    /// <summary>A workspace whose store is this test's database, sending to <paramref name="sink"/>, with one comparison published at <paramref name="published"/>.</summary>
    protected TestWorkspace WorkspaceOnThisDatabase(SmtpSink sink, string published = "2026-11-20T10:00:00Z")
    {
        var ws = new TestWorkspace(sink);
        ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", published));
        ws.Settings["Digest:Store:Provider"] = "PostgreSql";
        ws.Settings["Digest:Store:ConnectionString"] = Database;
        return ws;
    }

    public virtual async Task InitializeAsync()
    {
        if (PostgresFixture.Binaries is not null) Database = await Server.NewDatabaseAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var source in _sources) await source.DisposeAsync();
    }

    protected static async Task<long> ScalarAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
