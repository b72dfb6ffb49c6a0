using System.CommandLine;
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
        var command = new Command("status", "Show recent editions, their deliveries, suppressions and the next scheduled run.") { count };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(context.Output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
            });
            // Redirected output has no terminal width; a wide table must not wrap its columns.
            console.Profile.Width = 200;
            var ledger = services.GetRequiredService<IDeliveryLedger>();
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("Edition", "Made (UTC)", "Comparisons", "Recipients", "Sent", "Deferred", "Bounced", "Skipped", "Failed", "Not yet sent", "State");
            var deferred = 0;
            foreach (var e in services.GetRequiredService<IEditionStore>().Recent(parse.GetValue(count)))
            {
                var c = ledger.Count(e);
                if (!e.IsComplete) deferred += c.Deferred;
                table.AddRow($"#{e.Number}", $"{e.CreatedAt:yyyy-MM-dd HH:mm}", $"{e.Comparisons.Count}", $"{c.Total}", $"{c.Sent}",
                    $"{c.Deferred}", $"{c.Bounced}", $"{c.Skipped}", $"{c.Failed}", $"{c.Planned}", State(e, c));
            }
            console.Write(table);
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
}
