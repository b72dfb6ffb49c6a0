using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Digest.Tests.Storage;

/// <summary>Skips the test, with the reason, where Debian's PostgreSQL server is not installed.</summary>
public sealed class RequiresPostgresFactAttribute : FactAttribute
{
    public RequiresPostgresFactAttribute()
    {
        if (PostgresFixture.Binaries is null) Skip = PostgresFixture.Missing;
    }
}

/// <summary>
/// A throwaway PostgreSQL cluster on loopback for one test class: initdb in a temp folder, a free port,
/// trust authentication on 127.0.0.1 only, run as Debian's unprivileged postgres user when the tests run as
/// root (the server refuses to run as root). Each test takes a database of its own.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Missing = "PostgreSQL is not installed (apt-get install postgresql): PostgreSQL store tests skipped";

    private readonly string _root = Directory.CreateTempSubdirectory("digest-pg-").FullName;
    private int _databases;

    /// <summary>The folder with initdb and pg_ctl of the newest installed major version, or null.</summary>
    public static string? Binaries { get; } = FindBinaries();

    public int Port { get; private set; }
    private string Data => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        if (Binaries is null) return;
        Port = FreePort();
        // The temp folder is private to its creator; the postgres user must reach its data folder in it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Data);
        if (IsRoot) Run("chown", "postgres:", Data);
        RunAsServerUser(Path.Combine(Binaries, "initdb"), "-D", Data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        // fsync off: a crash of a throwaway test cluster loses nothing anyone needs, and it halves the run time.
        // The log and the Unix socket go in the data folder: the only one the postgres user may write to.
        RunAsServerUser(Path.Combine(Binaries, "pg_ctl"), "-D", Data, "-w", "-l", Path.Combine(Data, "server.log"), "-o",
            $"-p {Port} -k {Data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        await using var connection = new NpgsqlConnection(Admin("postgres"));
        await connection.OpenAsync();
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"digest_test_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(Admin("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return Admin(name);
    }

    /// <summary>
    /// A new, empty database for a test whose set-up is synchronous (the port contracts' UseStore); fails with
    /// <see cref="Missing"/> where the server is not installed, since those inherited tests cannot skip.
    /// </summary>
    public string NewDatabase()
    {
        if (Binaries is null) throw new InvalidOperationException(Missing);
        var name = $"digest_test_{Interlocked.Increment(ref _databases)}";
        using (var connection = new NpgsqlConnection(Admin("postgres")))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        return Admin(name);
    }

    private string Admin(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true";

    public Task DisposeAsync()
    {
        if (Binaries is not null && Directory.Exists(Path.Combine(Data, "base")))
        {
            try
            {
                RunAsServerUser(Path.Combine(Binaries, "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Already stopped: nothing to end.
            }
        }
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static void RunAsServerUser(string program, params string[] args)
    {
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", program, .. args]);
        else Run(program, args);
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
