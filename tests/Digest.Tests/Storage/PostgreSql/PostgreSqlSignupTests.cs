using System.Net;
using System.Text.RegularExpressions;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Npgsql;

namespace Digest.Tests.Storage.PostgreSql;

/// <summary>Signup with double opt-in on a worker whose store is PostgreSQL: over real HTTP, the real SMTP sink and a real server.</summary>
[Collection(InProcessWorkers.Name)]
public sealed partial class PostgreSqlSignupTests(PostgresFixture server) : PostgreSqlTest(server)
{
    private readonly SmtpSink _sink = new();
    private TestWorkspace _ws = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ws = WorkspaceOnThisDatabase(_sink);
        _ws.Settings["Digest:Signup:Enabled"] = "true";
        RunningWorker.Configure(_ws);
    }

    [RequiresPostgresFact]
    public async Task A_confirmed_signup_is_stored_in_PostgreSql_and_gets_the_next_edition_once()
    {
        await using (var worker = await RunningWorker.StartAsync(_ws))
        {
            var signup = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "lin@example.org"), new("name", "Lin Wu")]));
            Assert.Equal(HttpStatusCode.OK, signup.StatusCode);
            var link = ConfirmLink().Match(Assert.Single(_sink.To("lin@example.org")).Parse().TextBody ?? "").Groups[1].Value;
            Assert.Equal(HttpStatusCode.OK, (await worker.Http.GetAsync(link)).StatusCode);
            await using (var source = NpgsqlDataSource.Create(Database))
                Assert.Equal(0, await ScalarAsync(source, "SELECT count(*) FROM signups"));
            Assert.Equal(HttpStatusCode.OK, (await worker.Http.PostAsync(link, new FormUrlEncodedContent([]))).StatusCode);
        }

        var sent = await _ws.RunAsync("send-now");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("Edition 1: 4 sent", sent.Output);
        Assert.Single(_sink.To("lin@example.org"), m => m.Parse().Headers["X-Digest-Edition"] == "1");
        await using var db = NpgsqlDataSource.Create(Database);
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM signups WHERE key = 'lin@example.org' AND name = 'Lin Wu'"));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _sink.DisposeAsync();
        _ws?.Dispose();
    }

    [GeneratedRegex(@"(http://127\.0\.0\.1:\d+/subscribe/confirm\?token=[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();
}
