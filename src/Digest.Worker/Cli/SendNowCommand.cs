using System.CommandLine;
using Digest.Dispatch;
using Digest.Ledger;
using Digest.Transport;

namespace Digest.Worker.Cli;

/// <summary>`digest send-now [--dry-run]`: the weekly run, now.</summary>
public static class SendNowCommand
{
    public static Command Create(CliContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Select, plan and render every message, but send and record nothing." };
        var allowEmpty = new Option<bool>("--allow-empty")
        {
            Description = "Plan the edition even if the subscriber list is empty or shrank by more than Digest:Subscribers:MaxShrink since the last one.",
        };
        var command = new Command("send-now", "Send the next edition now (or finish an unfinished one).") { dryRun, allowEmpty };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: true, (services, stopping) =>
            parse.GetValue(dryRun)
                ? DryRunAsync(context, services, parse.GetValue(allowEmpty), stopping)
                : SendAsync(context, services, parse.GetValue(allowEmpty), stopping), sends: true));
        return command;
    }

    private static async Task<int> SendAsync(CliContext context, IServiceProvider services, bool allowEmpty, CancellationToken stopping)
    {
        var counters = new DispatchCounters();
        var outcome = await SendProgress.TrackAsync(context, counters, services.GetRequiredService<DigestRun>().SendAsync(counters, stopping, retryDeferredNow: true, allowEmpty: allowEmpty));
        var output = context.Output;
        foreach (var earlier in outcome.Earlier)
            if (earlier.Counts is { } e)
                await output.WriteLineAsync($"Edition {earlier.Edition}: {e.Sent} sent, {e.Deferred} deferred, {e.Bounced} bounced, {e.Skipped} skipped, {e.Failed} failed, {e.Planned} not yet sent.");
        if (outcome.Counts is not { } c)
        {
            await output.WriteLineAsync("No comparison is waiting for an edition: nothing to send.");
            return ExitCodes.Done;
        }
        await output.WriteLineAsync($"Edition {outcome.Edition}: {c.Sent} sent, {c.Deferred} deferred, {c.Bounced} bounced, {c.Skipped} skipped, {c.Failed} failed, {c.Planned} not yet sent.");
        if (services.GetRequiredService<RelaySet>().Outbox is { } outbox)
            await output.WriteLineAsync($"Messages are in {Path.GetFullPath(OutboxTransport.EditionFolder(outbox.Folder, outcome.Edition))}");
        if (outcome.Waiting > 0)
            await output.WriteLineAsync($"{outcome.Waiting} readers wait for their local morning; the worker (`run`) sends them when it comes, or run send-now again then.");
        if (outcome.Report?.Fatal is { } fatal)
        {
            await context.Error.WriteLineAsync($"Stopped early: {fatal.Reply}");
            return ExitCodes.Undelivered;
        }
        return outcome.Undelivered || outcome.Earlier.Any(e => e.Undelivered) ? ExitCodes.Undelivered : ExitCodes.Done;
    }

    private static async Task<int> DryRunAsync(CliContext context, IServiceProvider services, bool allowEmpty, CancellationToken stopping)
    {
        var dry = await services.GetRequiredService<DigestDryRun>().RunAsync(stopping, allowEmpty);
        var output = context.Output;
        if (dry is null)
        {
            await output.WriteLineAsync("Dry run: no comparison is waiting for an edition; nothing would be sent.");
            return ExitCodes.Done;
        }
        var sending = dry.Plan.Where(d => d.State is DeliveryState.Planned or DeliveryState.Deferred).ToList();
        await output.WriteLineAsync($"Dry run: {(dry.Resuming ? "would finish" : "would send")} edition {dry.Edition.Number} with {dry.Edition.Comparisons.Count} comparisons:");
        foreach (var c in dry.Edition.Comparisons) await output.WriteLineAsync($"  {c.PublishedAt:yyyy-MM-dd}  {c.Title}");
        if (dry.Edition.LeftOut > 0) await output.WriteLineAsync($"  ({dry.Edition.LeftOut} more wait for a later edition: Digest:Edition:MaxComparisons)");
        await output.WriteLineAsync($"To {sending.Count} recipients ({dry.Bytes / Math.Max(1, sending.Count):N0} bytes a message on average):");
        foreach (var d in dry.Plan)
            await output.WriteLineAsync(d.State is DeliveryState.Skipped ? $"  skip  {d.Email}: {d.LastReply}" : $"  send  {d.Email}");
        // Finishing an edition is not making one: say what the edition after it would hold.
        if (dry.Resuming) await QueueReport.WriteAsync(output, services.GetRequiredService<Editions.EditionPlanner>().Queue());
        await output.WriteLineAsync("Nothing was sent or recorded.");
        return ExitCodes.Done;
    }
}
