using System.CommandLine;
using System.Globalization;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Subscribers;
using Digest.Transport;
using Digest.Worker.Scheduling;
using Spectre.Console;

namespace Digest.Worker.Cli;

/// <summary>`digest status`: recent editions with their delivery counts, and when the next one goes out.</summary>
public static class StatusCommand
{
    /// <summary>"retrying" when only deferred readers are left: such an edition does not hold back the next one.</summary>
    private static string State(Edition edition, EditionCounts counts) =>
        edition.IsComplete ? "complete" : counts.Planned > 0 ? "unfinished" : "retrying";

    public static Command Create(CliContext context)
    {
        var count = new Option<int>("--editions") { Description = "How many recent editions to list.", DefaultValueFactory = _ => 10 };
        var width = new Option<int?>("--width") { Description = "Columns to fit (default: the terminal's width; 200 when output is not a terminal)." };
        var command = new Command("status", "Show recent editions, their deliveries, suppressions and the next scheduled run.") { count, width };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(context.Output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
            });
            console.Profile.Width = Columns(context, parse.GetValue(width));
            var ledger = services.GetRequiredService<IDeliveryLedger>();
            var editions = services.GetRequiredService<IEditionStore>().Recent(parse.GetValue(count))
                .Select(e => (Edition: e, Counts: ledger.Count(e))).ToList();
            var deferred = editions.Where(e => !e.Edition.IsComplete).Sum(e => e.Counts.Deferred);
            if (console.Profile.Width < WideLayout) WriteBlocks(console, editions);
            else WriteTable(console, editions);
            var relays = services.GetRequiredService<RelaySet>();
            if (services.GetRequiredService<IEditionStore>().Unfinished() is { } unfinished)
                foreach (var (zone, waiting, next) in ledger.Waiting(unfinished.Number, DateTime.UtcNow))
                    await context.Output.WriteLineAsync($"Edition #{unfinished.Number}: {waiting} readers in {zone} wait for their local time, the first at {next:yyyy-MM-dd HH:mm} UTC");
            foreach (var e in services.GetRequiredService<IEditionStore>().Recent(parse.GetValue(count)))
            {
                var sent = ledger.SentByRelay(e);
                if (sent.Count == 0) continue;
                var lines = sent.OrderByDescending(r => r.Value).Select(r =>
                {
                    var price = relays.All.FirstOrDefault(x => x.Name == r.Key)?.CostPerThousand ?? 0;
                    return price > 0 ? $"{r.Key} {r.Value} ({r.Value * price / 1000:0.00})" : $"{r.Key} {r.Value}";
                });
                var cost = sent.Sum(r => r.Value * (relays.All.FirstOrDefault(x => x.Name == r.Key)?.CostPerThousand ?? 0) / 1000);
                await context.Output.WriteLineAsync($"Edition #{e.Number} sent via: {string.Join(", ", lines)}{(cost > 0 ? $"; cost {cost:0.00}" : "")}");
            }
            BounceStatus.Write(console, services, parse.GetValue(count));
            var schedule = new ScheduleLog(services.GetRequiredService<Digest.Scheduling.IScheduleRecord>(), services.GetRequiredService<IOptions<DigestOptions>>(), TimeProvider.System);
            var options = services.GetRequiredService<IOptions<DigestOptions>>().Value;
            await context.Output.WriteLineAsync($"Comparisons in store: {services.GetRequiredService<IComparisonStore>().Count()}");
            await QueueReport.WriteAsync(context.Output, services.GetRequiredService<EditionPlanner>().Queue());
            await context.Output.WriteLineAsync($"Suppressed addresses: {services.GetRequiredService<ISuppressions>().All().Count}");
            await context.Output.WriteLineAsync($"Pending deferrals: {deferred} (retried when their backoff ends, until Digest:Delivery:GiveUpAfter; send-now retries them at once)");
            await context.Output.WriteLineAsync($"Config: {services.GetRequiredService<ConfigFile>()}");
            await context.Output.WriteLineAsync($"Store: {options.Store.Describe()}");
            await context.Output.WriteLineAsync($"Store provider: {options.Store.Provider}");
            await context.Output.WriteLineAsync($"Unsubscribe key: {UnsubscribeKey.Describe(options)}");
            await context.Output.WriteLineAsync($"Delivery: {relays.Description}");
            await context.Output.WriteLineAsync($"Archive: {Path.GetFullPath(options.Archive.Path)}{(options.Archive.BaseUrl is { Length: > 0 } url ? $", published at {url}" : ", no public address (Digest:Archive:BaseUrl)")}");
            await context.Output.WriteLineAsync($"Next scheduled run: {schedule.NextRun():yyyy-MM-dd HH:mm} UTC ({options.Schedule.QuartzCron}, {options.Schedule.TimeZone})");
            return ExitCodes.Done;
        }, readOnlyStore: true));
        return command;
    }

    /// <summary>Below this many columns the eleven counts no longer fit a row: each edition gets a block of lines.</summary>
    public const int WideLayout = 100;

    private static int Columns(CliContext context, int? asked)
    {
        if (asked is > 0) return Math.Max(40, asked.Value);
        // A terminal says how wide it is; a file or pipe has no width, and a wide table there must not wrap.
        if (ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected && Console.WindowWidth > 0) return Console.WindowWidth;
        return 200;
    }

    private static void WriteTable(IAnsiConsole console, IReadOnlyList<(Edition Edition, EditionCounts Counts)> editions)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("Edition", "Made (UTC)", "Items", "Readers", "Sent", "Deferred", "Bounced", "Skipped", "Failed", "Unsent", "State");
        foreach (var (e, c) in editions)
            table.AddRow($"#{e.Number}", e.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), $"{e.Comparisons.Count}", $"{c.Total}", $"{c.Sent}",
                $"{c.Deferred}", $"{c.Bounced}", $"{c.Skipped}", $"{c.Failed}", $"{c.Planned}", State(e, c));
        console.Write(table);
    }

    /// <summary>The narrow layout: two short lines an edition, every count named, so nothing wraps at 80 columns.</summary>
    private static void WriteBlocks(IAnsiConsole console, IReadOnlyList<(Edition Edition, EditionCounts Counts)> editions)
    {
        foreach (var (e, c) in editions)
        {
            console.WriteLine($"#{e.Number}  {e.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC  {e.Comparisons.Count} comparisons  {State(e, c)}");
            console.WriteLine($"    {c.Total} readers: {c.Sent} sent, {c.Deferred} deferred, {c.Bounced} bounced, {c.Skipped} skipped, {c.Failed} failed, {c.Planned} unsent");
        }
        if (editions.Count == 0) console.WriteLine("No editions yet.");
    }
}
