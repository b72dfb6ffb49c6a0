using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>The connection string of Digest:Store, with the password put in from its file and kept out of every text shown.</summary>
public static class PostgreSqlConnection
{
    /// <summary>The string to connect with: <see cref="StoreOptions.PasswordFile"/>'s first line as the password when set.</summary>
    public static string ConnectionString(StoreOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (!string.IsNullOrEmpty(options.PasswordFile))
            builder.Password = File.ReadAllLines(options.PasswordFile).FirstOrDefault() ?? "";
        // An application name shows in pg_stat_activity, so a DBA can tell Digest's sessions from others.
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "digest";
        return builder.ConnectionString;
    }

    /// <summary>
    /// The connection string as it may be logged: the password replaced by <c>***</c>. A string Npgsql cannot
    /// read is masked by hand, since it cannot be parsed to find the password.
    /// </summary>
    public static string Masked(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "(no Digest:Store:ConnectionString)";
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2) is [var key, _] && IsPasswordKey(key.Trim()) ? $"{key.Trim()}=***" : part);
        return string.Join(';', parts);
    }

    /// <summary>Null when Npgsql reads the string, else why not (in Npgsql's words, which never quote the value).</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return e.Message;
        }
    }

    private static bool IsPasswordKey(string key) =>
        key.Equals("Password", StringComparison.OrdinalIgnoreCase) || key.Equals("Pwd", StringComparison.OrdinalIgnoreCase)
        || key.Equals("PSW", StringComparison.OrdinalIgnoreCase);
}
