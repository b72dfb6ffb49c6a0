using System.Text.RegularExpressions;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Digest.Tests.Storage.PostgreSql;

/// <summary>
/// Several `digest run` workers on one PostgreSQL database sharing the sending of one edition, as real child
/// processes against the real SMTP sink.
/// </summary>
public sealed partial class SharedEditionTests(PostgresFixture server, ITestOutputHelper output) : PostgreSqlTest(server)
{
    private readonly SmtpSink _sink = new();
    private readonly List<ChildWorker> _workers = [];
    private TestWorkspace _ws = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ws = WorkspaceOnThisDatabase(_sink);
        // A killed worker's claims go to the others once its slot has not been renewed for this long.
        _ws.Settings["Digest:Delivery:LeaseDuration"] = "00:00:05";
        _ws.Settings["Digest:Delivery:JoinInterval"] = "00:00:01";
    }

    private ChildWorker Start(params string[] args)
    {
        var worker = ChildWorker.Start(_ws, args);
        _workers.Add(worker);
        return worker;
    }

    private void Readers(int count) =>
        _ws.WriteSubscribers(Enumerable.Range(0, count).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());

    /// <summary>Makes the weekly run look missed, so each `run` worker catches up at start: both start the edition at once.</summary>
    private async Task MissedWeeklyRunAsync()
    {
        using (new Digest.Storage.PostgreSql.PostgreSqlStore(Database)) { }
        await using var source = Connect();
        await using var missed = source.CreateCommand("INSERT INTO schedule (id, last_fire_at) VALUES ('schedule', '2000-01-03T09:00:00Z')");
        await missed.ExecuteNonQueryAsync();
    }

    [RequiresPostgresFact]
    public async Task Two_run_workers_share_one_edition_of_20000_readers_and_each_reader_gets_it_exactly_once()
    {
        Readers(20_000);
        await MissedWeeklyRunAsync();

        var a = Start("run");
        var b = Start("run");
        await WaitForAsync(() => Sent() == 20_000 && SentThisRun(a.Output) + SentThisRun(b.Output) >= 20_000, a, b);
        var status = await _ws.RunAsync("status", "--width", "80");
        output.WriteLine($"shares: {SentThisRun(a.Output)} and {SentThisRun(b.Output)}");

        var recipients = _sink.Messages.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(20_000, recipients.Count);
        Assert.Equal(20_000, recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.True(SentThisRun(a.Output) > 0 && SentThisRun(b.Output) > 0, $"one worker sent everything:\n{a.Output}\n{b.Output}");
        Assert.Equal(20_000, SentThisRun(a.Output) + SentThisRun(b.Output));
        Assert.Single(Regex.Matches(a.Output + b.Output, "Edition 1 planned"));
        // The worker that did not plan may have started while the plan was written: it joined, it did not plan again.
        Assert.DoesNotContain("cut short", a.Output + b.Output);
        Assert.Contains("1 comparisons  complete", status.Output);
        Assert.Contains("20000 readers: 20000 sent, 0 deferred, 0 bounced, 0 skipped, 0 failed, 0", status.Output);
        Assert.Contains("Edition #1 sent via: primary 20000", status.Output);
        await StopAsync(a, b);
    }

    [RequiresPostgresFact]
    public async Task An_idle_run_worker_joins_an_edition_another_worker_started_within_its_join_interval()
    {
        Readers(3000);
        _ws.Settings["Digest:Schedule:Cron"] = "0 0 9 1 1 ? 2099";
        var idle = Start("run");
        await WaitForAsync(() => idle.Output.Contains("Worker started"), idle);
        // Slow enough that the joiner's check (every second) comes while the edition is still going.
        _sink.DataDelay = TimeSpan.FromMilliseconds(4);

        var sender = Start("send-now");
        var exit = await sender.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await WaitForAsync(() => Sent() == 3000 && SentThisRun(idle.Output) + SentThisRun(sender.Output) >= 3000, idle);

        Assert.True(exit == 0, sender.Output);
        output.WriteLine($"shares: send-now {SentThisRun(sender.Output)}, joined {SentThisRun(idle.Output)}");
        Assert.Contains("Joining edition 1", idle.Output);
        Assert.True(SentThisRun(idle.Output) > 0, idle.Output);
        Assert.True(SentThisRun(sender.Output) > 0, sender.Output);
        var recipients = _sink.Messages.SelectMany(m => m.Recipients).ToList();
        Assert.Equal(3000, recipients.Count);
        Assert.Equal(3000, recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        await StopAsync(idle);
    }

    [RequiresPostgresFact]
    public async Task A_run_worker_killed_mid_edition_leaves_its_readers_to_the_other_with_nobody_missed_and_duplicates_at_most_its_connections()
    {
        Readers(6000);
        await MissedWeeklyRunAsync();
        _sink.DataDelay = TimeSpan.FromMilliseconds(2);

        var doomed = Start("run");
        var survivor = Start("run");
        // Both are sending: each has claimed readers of the edition.
        await WaitForAsync(() => Claimers() >= 2 && _sink.Messages.Count >= 1000, doomed, survivor);
        doomed.Kill();
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var sentAtKill = Sent();
        Assert.True(sentAtKill < 6000, "the edition finished before the kill");
        _sink.DataDelay = TimeSpan.Zero;

        await WaitForAsync(() => Sent() == 6000, survivor);

        var recipients = _sink.Messages.SelectMany(m => m.Recipients).ToList();
        output.WriteLine($"sent before the kill: {sentAtKill}; duplicates: {recipients.Count - 6000}");
        Assert.Equal(6000, recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // Only the messages in flight on the killed worker's connections (4 by default) may go twice.
        Assert.InRange(recipients.Count - 6000, 0, 4);
        await StopAsync(survivor);
    }

    [RequiresPostgresFact]
    public async Task A_run_worker_paused_past_its_slot_stops_on_resuming_and_records_nothing_over_the_worker_that_took_its_readers()
    {
        Readers(4000);
        await MissedWeeklyRunAsync();
        _sink.DataDelay = TimeSpan.FromMilliseconds(2);

        var paused = Start("run");
        var other = Start("run");
        await WaitForAsync(() => Claimers() >= 2 && _sink.Messages.Count >= 500, paused, other);
        paused.Pause();
        // The other worker takes the paused one's readers once its slot (5 s) has expired, and finishes the edition.
        await WaitForAsync(() => Sent() == 4000, other);
        var atResume = _sink.Messages.Count;
        paused.Resume();
        // It stops the run it was in: the scheduled one, or the one that joined the edition.
        await WaitForAsync(() => paused.Output.Contains("Sender slot")
            && (paused.Output.Contains("The digest run did not complete") || paused.Output.Contains("Could not join the edition being sent")), paused, other);

        var recipients = _sink.Messages.SelectMany(m => m.Recipients).ToList();
        output.WriteLine($"messages when resumed: {atResume}, after: {recipients.Count}");
        Assert.Contains("expired: this process was paused or stalled longer than Digest:Delivery:LeaseDuration", paused.Output);
        Assert.Equal(4000, recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // Only the messages in flight on the paused worker's connections may go twice, and its late outcomes are not recorded.
        Assert.InRange(recipients.Count - 4000, 0, 4);
        Assert.Equal(4000, Sent());
        await StopAsync(paused, other);
    }

    /// <summary>The readers one worker's summary lines say it sent ("…; N this run in …"), over all its runs of edition 1.</summary>
    private static int SentThisRun(string output) =>
        ThisRun().Matches(output).Sum(m => int.Parse(m.Groups[1].Value));

    [GeneratedRegex(@"Edition 1: .*?; (\d+) this run in")]
    private static partial Regex ThisRun();

    private long Sent() => Scalar("SELECT count(*) FROM deliveries WHERE edition = 1 AND state = 'Sent'");

    private long Claimers() => Scalar("SELECT count(DISTINCT claim_token) FROM deliveries WHERE edition = 1 AND claim_token IS NOT NULL");

    private long Scalar(string sql)
    {
        try
        {
            using var connection = new NpgsqlConnection(Database);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(command.ExecuteScalar());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable || e.SqlState == PostgresErrorCodes.UndefinedColumn)
        {
            return 0; // not migrated yet
        }
    }

    private async Task WaitForAsync(Func<bool> done, params ChildWorker[] workers)
    {
        // Generous: on a loaded machine (the whole suite on 2 cores) 20,000 messages take well over a minute.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out with {_sink.Messages.Count} messages at the sink and {Sent()} recorded sent:\n" + string.Join("\n-----\n", workers.Select(w => w.Output)));
            if (workers.FirstOrDefault(w => w.HasExited) is { } exited)
                Assert.Fail($"a worker exited early:\n{exited.Output}");
            await Task.Delay(50);
        }
    }

    private static async Task StopAsync(params ChildWorker[] workers)
    {
        foreach (var w in workers) w.Terminate();
        foreach (var w in workers) Assert.Equal(0, await w.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public override async Task DisposeAsync()
    {
        foreach (var w in _workers) w.Dispose();
        await base.DisposeAsync();
        await _sink.DisposeAsync();
        _ws.Dispose();
    }
}
