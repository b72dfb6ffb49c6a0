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
