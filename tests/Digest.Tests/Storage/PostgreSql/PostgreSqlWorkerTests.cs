using Digest.Tests.Sink;
using Digest.Tests.Support;
using Npgsql;

namespace Digest.Tests.Storage.PostgreSql;

/// <summary>The commands with Digest:Store:Provider PostgreSql, against the real SMTP sink and a real server.</summary>
public sealed class PostgreSqlWorkerTests(PostgresFixture server) : PostgreSqlTest(server)
{
    private readonly SmtpSink _sink = new();
    private TestWorkspace _ws = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ws = WorkspaceOnThisDatabase(_sink);
        // The password goes in a file; the server trusts loopback, so any password connects.
        _ws.Settings["Digest:Store:PasswordFile"] = _ws.WriteFile("pg-password", "s3cret-pg-password\n");
    }

    [RequiresPostgresFact]
    public async Task Send_now_on_PostgreSql_mails_each_reader_once_keeps_no_LiteDB_file_and_status_names_the_provider_without_the_password()
    {
        var first = await _ws.RunAsync("send-now");
        var again = await _ws.RunAsync("send-now");
        var status = await _ws.RunAsync("status");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(3, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
        Assert.True(again.ExitCode is 0 or 1, again.ToString());
        Assert.Equal(3, _sink.Messages.Count);
        Assert.False(File.Exists(_ws.Settings["Digest:Store:Path"]), "a LiteDB file was made although the store is PostgreSQL");
        await using var source = NpgsqlDataSource.Create(Database);
        Assert.Equal(3, await ScalarAsync(source, "SELECT count(*) FROM deliveries WHERE edition = 1 AND state = 'Sent'"));
        Assert.Equal(1, await ScalarAsync(source, "SELECT count(*) FROM comparisons WHERE edition_number = 1"));
        Assert.Contains("Store provider: PostgreSql", status.Output);
        Assert.Contains("Store: PostgreSQL Host=127.0.0.1", status.Output);
        Assert.DoesNotContain("s3cret-pg-password", status.Output + status.Error + first.Output + first.Error);
    }

    [RequiresPostgresFact]
    public async Task A_server_that_cannot_be_reached_stops_the_command_naming_the_store_without_the_password()
    {
        _ws.Settings["Digest:Store:ConnectionString"] = $"Host=127.0.0.1;Port={FreePort()};Database=digest;Username=digest;Password=in-the-string-secret;Timeout=2";

        var result = await _ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("The store PostgreSQL Host=127.0.0.1", result.Error);
        Assert.Contains("Digest:Store:ConnectionString", result.Error);
        Assert.DoesNotContain("in-the-string-secret", result.Error + result.Output);
        Assert.DoesNotContain("s3cret-pg-password", result.Error + result.Output);
        Assert.Empty(_sink.Messages);
    }

    [RequiresPostgresFact]
    public async Task Two_send_now_processes_at_once_on_one_database_send_one_edition_to_each_reader_exactly_once()
    {
        _ws.WriteSubscribers(Enumerable.Range(0, 300).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());

        using var a = ChildWorker.Start(_ws, "send-now");
        using var b = ChildWorker.Start(_ws, "send-now");
        var codes = new[] { await a.WaitForExitAsync(TimeSpan.FromSeconds(120)), await b.WaitForExitAsync(TimeSpan.FromSeconds(120)) };

        // One plans the edition and both send it (each a slot of its own), or the later one finds it already sent.
        Assert.All(codes, code => Assert.True(code == 0, $"exit {code}\n{a.Output}\n{b.Output}"));
        Assert.Equal(300, _sink.Messages.Count);
        Assert.Equal(300, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
        await using var source = NpgsqlDataSource.Create(Database);
        Assert.Equal(1, await ScalarAsync(source, "SELECT count(*) FROM editions"));
    }

    [RequiresPostgresFact]
    public async Task A_sender_killed_mid_edition_is_taken_over_and_nobody_is_missed_with_duplicates_at_most_its_connections()
    {
        _ws.WriteSubscribers(Enumerable.Range(0, 2000).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());
        _sink.DataDelay = TimeSpan.FromMilliseconds(5);
        using var doomed = ChildWorker.Start(_ws, "send-now");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_sink.Messages.Count < 200 && !doomed.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.False(doomed.HasExited, doomed.Output);
        doomed.Kill();
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var beforeResume = _sink.Messages.Count;
        Assert.True(beforeResume < 2000, "the edition finished before the kill");

        _sink.DataDelay = TimeSpan.Zero;
        var resumed = await _ws.RunAsync("send-now");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var recipients = _sink.Messages.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(2000, recipients.Distinct().Count());
        // Only the messages in flight on the killed worker's connections (4 by default) may go twice.
        Assert.InRange(recipients.Count - 2000, 0, 4);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _sink.DisposeAsync();
        _ws.Dispose();
    }
}
