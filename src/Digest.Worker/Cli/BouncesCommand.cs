using System.CommandLine;
using Digest.Bounces;

namespace Digest.Worker.Cli;

/// <summary>`digest bounces`: reads the bounce mailbox once, as the worker does on its poll, and says what it did.</summary>
public static class BouncesCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bounces", "Read the bounce mailbox once: record bounces and complaints, suppress, move the reports.");
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, stopping) =>
        {
            var reader = services.GetRequiredService<BounceReader>();
            if (!reader.Enabled)
            {
                await context.Error.WriteLineAsync("No bounce mailbox: set Digest:Bounces:Imap:Host (and :Username, :Password or :PasswordFile).");
                return ExitCodes.BadInput;
            }
            BounceRun run;
            try
            {
                run = await reader.ReadOnceAsync(stopping);
            }
            catch (BounceMailboxException e)
            {
                await context.Error.WriteLineAsync(e.Message);
                return ExitCodes.Unexpected;
            }
            var output = context.Output;
            foreach (var entry in run.Entries)
                await output.WriteLineAsync($"  {Describe(entry)}{(entry.MovedTo is { } to ? $" → {to}" : " (left in place)")}");
            await output.WriteLineAsync(
                $"{run.Mailbox}: {run.Entries.Count} read, {run.Count(ReportKind.HardBounce)} hard bounces, {run.Count(ReportKind.SoftBounce)} soft bounces, " +
                $"{run.Count(ReportKind.Complaint)} complaints, {run.Suppressed} suppressed, " +
                (run.Unsubscribed > 0 ? $"{run.Unsubscribed} unsubscribed by mail, " : "") + $"{run.Unmatched} unmatched, " +
                (run.Unverified > 0 ? $"{run.Unverified} unverified, " : "") + $"{run.Duplicates} seen before, {run.Moved} moved.");
            return ExitCodes.Done;
        }));
        return command;
    }

    private static string Describe(BounceEntry e) => e switch
    {
        { UnsubscribedAddress: { } email } => $"unsubscribe request for {email} by mail; suppressed",
        { Delivery: { } d, Outcome: { Duplicate: true } } => $"seen before: {e.Report!.Kind} for {d.Email}, edition {d.Edition}; not counted again",
        { Delivery: { } d, Outcome: { } o } => $"{e.Report!.Kind} for {d.Email}, edition {d.Edition} ({$"{e.Report.Status} {e.Report.Detail}".Trim()}), matched by {e.MatchedBy}"
            + (o.Unverified ? "; unverified, nobody suppressed" : o.Suppressed ? "; suppressed" : e.Report.Kind == ReportKind.SoftBounce ? $"; {o.SoftStreak} in a row" : ""),
        _ => $"unmatched \"{e.Subject}\": {e.Problem}",
    };
}
