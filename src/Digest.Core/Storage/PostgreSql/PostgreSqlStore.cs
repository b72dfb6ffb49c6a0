using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Digest.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL database of a store: one pooled data source shared by every port, the schema migrated when
/// it is opened. Several workers, on one machine or many, may open the same database.
/// </summary>
public sealed class PostgreSqlStore : IDisposable
{
    public PostgreSqlStore(string connectionString, ILogger? log = null)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        PostgreSqlSchema.Migrate(DataSource, log);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Connects to Digest:Store's database and migrates it; a server that cannot be reached is reported with the masked connection string.</summary>
    public static PostgreSqlStore Open(StoreOptions options, ILogger? log = null)
    {
        try
        {
            return new PostgreSqlStore(PostgreSqlConnection.ConnectionString(options), log);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            throw new StoreUnavailableException(options.Describe(), e, "check Digest:Store:ConnectionString, that the server runs and takes this user's password (Digest:Store:PasswordFile or PGPASSWORD)");
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction on one connection, committed when it returns.</summary>
    public T InTransaction<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> work)
    {
        using var connection = DataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = work(connection, transaction);
        transaction.Commit();
        return result;
    }

    /// <summary>A command with positional parameters ($1, $2 …); a null value is sent as SQL NULL.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(Parameter(value));
        return command;
    }

    /// <summary>Reads rows outside a transaction (each statement is its own snapshot).</summary>
    public List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> read, params object?[] values)
    {
        using var connection = DataSource.OpenConnection();
        return Query(connection, null, sql, read, values);
    }

    public static List<T> Query<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read, params object?[] values)
    {
        using var command = Command(connection, transaction, sql, values);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    public int Execute(string sql, params object?[] values)
    {
        using var connection = DataSource.OpenConnection();
        using var command = Command(connection, null, sql, values);
        return command.ExecuteNonQuery();
    }

    public static NpgsqlParameter Parameter(object? value) => value switch
    {
        NpgsqlParameter p => p,
        null => new NpgsqlParameter { Value = DBNull.Value },
        // timestamptz takes UTC only; the domain's dates are UTC but may come unmarked from a deserializer.
        DateTime d => new NpgsqlParameter { Value = Utc(d), NpgsqlDbType = NpgsqlDbType.TimestampTz },
        _ => new NpgsqlParameter { Value = value },
    };

    /// <summary>A nullable timestamptz parameter: a bare null has no type PostgreSQL could infer in every position.</summary>
    public static NpgsqlParameter Time(DateTime? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } d ? Utc(d) : DBNull.Value };

    public static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Json<T>(T value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = value is null ? DBNull.Value : JsonSerializer.Serialize(value, JsonOptions) };

    public static T FromJson<T>(NpgsqlDataReader reader, int column) => JsonSerializer.Deserialize<T>(reader.GetString(column), JsonOptions)!;

    public static DateTime Utc(DateTime d) => d.Kind switch
    {
        DateTimeKind.Utc => d,
        DateTimeKind.Local => d.ToUniversalTime(),
        _ => DateTime.SpecifyKind(d, DateTimeKind.Utc),
    };

    public static string? NullableString(NpgsqlDataReader r, int column) => r.IsDBNull(column) ? null : r.GetString(column);

    public static DateTime? NullableTime(NpgsqlDataReader r, int column) => r.IsDBNull(column) ? null : r.GetDateTime(column);

    // Computed members (Comparison.Categories) are not data: only properties that can be set are stored.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Kind != JsonTypeInfoKind.Object) return;
                    foreach (var property in info.Properties.Where(p => p.Set is null).ToList()) info.Properties.Remove(property);
                },
            },
        },
    };

    public void Dispose() => DataSource.Dispose();
}
