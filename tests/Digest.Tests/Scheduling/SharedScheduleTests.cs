using System.Text.RegularExpressions;
using Digest.Scheduling;
using Digest.Tests.Storage;
using Digest.Storage.PostgreSql;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Npgsql;

namespace Digest.Tests.Scheduling;

/// <summary>
/// Two `run` workers on one PostgreSQL store share one schedule (Quartz's clustered job store): each run fires
/// on one worker, and a run missed by one is caught up once by the other. Real child processes, a real server,
/// the real SMTP sink.
/// </summary>
public sealed partial class SharedScheduleTests(PostgresFixture server) : Digest.Tests.Storage.PostgreSql.PostgreSqlTest(server)
{
    private readonly SmtpSink _sink = new();
    private TestWorkspace _ws = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ws = WorkspaceOnThisDatabase(_sink, DateTime.UtcNow.AddDays(-1).ToString("O"));
        // A dead worker is written off by the others after about two check-ins.
        _ws.Settings["Digest:Schedule:CheckinInterval"] = "00:00:01";
    }

    [RequiresPostgresFact]
    public async Task Two_workers_on_one_database_fire_each_scheduled_run_on_one_worker_only_and_mail_each_reader_once()
    {
        // Every two seconds: many runs in a few seconds, each of which both workers would fire on their own schedule.
        _ws.Settings["Digest:Schedule:Cron"] = "0/2 * * * * ?";
        using var a = ChildWorker.Start(_ws, "run");
        using var b = ChildWorker.Start(_ws, "run");
        await WaitForAsync(() => NodeOf(a) is not null && NodeOf(b) is not null, a, b);
        var bothUp = Fires(a).Concat(Fires(b)).Select(f => f.At).DefaultIfEmpty().Max();

        // Five scheduled runs after both workers were up, whichever worker took them.
        await WaitForAsync(() => Fires(a).Concat(Fires(b)).Count(f => f.At > bothUp) >= 5 && _sink.Messages.Count >= 3, a, b);
        a.Terminate();
        b.Terminate();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await b.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var fires = Fires(a).Concat(Fires(b)).ToList();
        var twice = fires.GroupBy(f => f.At).Where(g => g.Count() > 1).Select(g => $"{g.Key:O} on {string.Join(", ", g.Select(f => f.Node))}").ToList();
        Assert.True(twice.Count == 0, $"runs fired on both workers: {string.Join("; ", twice)}\n--- a\n{a.Output}\n--- b\n{b.Output}");
        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(3, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
        await using var source = NpgsqlDataSource.Create(Database);
        Assert.Equal(1, await ScalarAsync(source, "SELECT count(*) FROM editions"));
    }

    [RequiresPostgresFact]
    public async Task A_run_missed_while_every_worker_was_down_is_caught_up_once_by_two_workers_starting_together()
    {
        // Daily at 00:00 UTC, and the last fire days ago: today's run was missed while no worker was up.
        _ws.Settings["Digest:Schedule:Cron"] = "0 0 0 * * ?";
        using (var store = new PostgreSqlStore(Database))
            new PostgreSqlScheduleRecord(store).Fired(DateTimeOffset.UtcNow.AddDays(-4));

        using var a = ChildWorker.Start(_ws, "run");
        using var b = ChildWorker.Start(_ws, "run");
        // Each worker says whether it caught the run up or left it to the other.
        await WaitForAsync(() => Decided(a) && Decided(b) && _sink.Messages.Count >= 3, a, b);
        a.Terminate();
        b.Terminate();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await b.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var caughtUp = new[] { a, b }.Count(w => w.Output.Contains("Catching up now"));
        Assert.True(caughtUp == 1, $"{caughtUp} workers caught the run up\n--- a\n{a.Output}\n--- b\n{b.Output}");
        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(3, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
        await using var source = NpgsqlDataSource.Create(Database);
        Assert.Equal(1, await ScalarAsync(source, "SELECT count(*) FROM editions"));
    }

    [RequiresPostgresFact]
    public async Task A_worker_starting_while_another_catches_up_joins_that_edition_and_does_not_catch_up_again()
    {
        _ws.Settings["Digest:Schedule:Cron"] = "0 0 0 * * ?";
        using (var store = new PostgreSqlStore(Database))
            new PostgreSqlScheduleRecord(store).Fired(DateTimeOffset.UtcNow.AddDays(-4));
        // The first worker's catch-up stays unfinished until the second has looked: one reader's message is held.
        var release = new TaskCompletionSource();
        _sink.HoldData("grace@example.com", release.Task);

        using var a = ChildWorker.Start(_ws, "run");
        await WaitForAsync(() => a.Output.Contains("Catching up now") && _sink.Messages.Count >= 2, a);
        using var b = ChildWorker.Start(_ws, "run");
        await WaitForAsync(() => Decided(b), a, b);
        release.SetResult();
        await WaitForAsync(() => _sink.Messages.Count >= 3, a, b);
        a.Terminate();
        b.Terminate();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await b.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.False(b.Output.Contains("Catching up now"), $"the second worker caught up a run the first was sending\n--- b\n{b.Output}");
        Assert.Contains("Edition 1 is unfinished at start-up", b.Output);
        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(3, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
    }

    [RequiresPostgresFact]
    public async Task A_run_taken_by_a_worker_that_is_killed_before_it_fires_is_fired_once_by_the_other()
    {
        // One run, a little ahead: time for both workers to start, for one to take the trigger and to be killed.
        var due = DateTimeOffset.UtcNow.AddSeconds(40);
        _ws.Settings["Digest:Schedule:Cron"] = $"{due.Second} {due.Minute} {due.Hour} {due.Day} {due.Month} ? {due.Year}";
        using var a = ChildWorker.Start(_ws, "run");
        using var b = ChildWorker.Start(_ws, "run");
        await WaitForAsync(() => NodeOf(a) is not null && NodeOf(b) is not null, a, b);

        // Quartz takes a trigger due within its idle wait ahead of time; the node that took it is the one that would fire.
        await using var source = NpgsqlDataSource.Create(Database);
        string? taker = null;
        await WaitForAsync(async () => (taker = await AcquiredByAsync(source)) is not null, a, b);
        var (doomed, survivor) = taker == NodeOf(a) ? (a, b) : (b, a);
        Assert.True(taker == NodeOf(doomed), $"the trigger was taken by {taker}, neither worker\n{a.Output}\n{b.Output}");
        doomed.Kill();
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(DateTimeOffset.UtcNow < due, "the test was too slow: the killed worker's run was due before the kill");

        await WaitForAsync(() => _sink.Messages.Count >= 3 && Fires(survivor).Count > 0, survivor);
        survivor.Terminate();
        await survivor.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(Fires(doomed));
        Assert.Single(Fires(survivor));
        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(3, _sink.Messages.SelectMany(m => m.Recipients).Distinct().Count());
    }

    /// <summary>The Quartz node (instance id) that holds the weekly trigger acquired for its next fire, if any.</summary>
    private static async Task<string?> AcquiredByAsync(NpgsqlDataSource source)
    {
        await using var command = source.CreateCommand(
            "SELECT f.instance_name FROM qrtz_fired_triggers f JOIN qrtz_triggers t USING (sched_name, trigger_name, trigger_group) " +
            "WHERE f.trigger_name = 'weekly-digest-trigger' AND f.state = 'ACQUIRED' AND t.trigger_state = 'ACQUIRED'");
        return (string?)await command.ExecuteScalarAsync();
    }

    private static string? NodeOf(ChildWorker worker) => NodeLine().Match(worker.Output) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The worker's catch-up has looked: it caught up, left the run to the other, or found it already fired.</summary>
    private static bool Decided(ChildWorker worker) =>
        worker.Output.Contains("Catching up now") || worker.Output.Contains("caught up by another worker") || worker.Output.Contains("Nothing to catch up")
        || worker.Output.Contains("is unfinished at start-up");

    private static List<(DateTimeOffset At, string Node)> Fires(ChildWorker worker) =>
        FireLine().Matches(worker.Output).Select(m => (DateTimeOffset.Parse(m.Groups[1].Value, null, System.Globalization.DateTimeStyles.RoundtripKind), m.Groups[2].Value)).ToList();

    private static Task WaitForAsync(Func<bool> done, params ChildWorker[] workers) => WaitForAsync(() => Task.FromResult(done()), workers);

    private static async Task WaitForAsync(Func<Task<bool>> done, params ChildWorker[] workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await done())
        {
            var exited = workers.FirstOrDefault(w => w.HasExited);
            Assert.True(exited is null, $"a worker exited\n{exited?.Output}");
            Assert.True(DateTime.UtcNow < deadline, "timed out\n" + string.Join("\n---\n", workers.Select(w => w.Output)));
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"cluster node ([^\s;]+)")]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"Scheduled run of (\S+) fired on (\S+)")]
    private static partial Regex FireLine();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _sink.DisposeAsync();
        _ws.Dispose();
    }
}
