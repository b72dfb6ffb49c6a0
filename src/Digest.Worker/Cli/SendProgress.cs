using System.Diagnostics;
using Digest.Dispatch;
using Spectre.Console;

namespace Digest.Worker.Cli;

/// <summary>
/// Progress of a send for the admin watching it, on stderr (stdout keeps the result): a live bar in a terminal,
/// plain periodic lines when stderr is redirected to a file or a log collector, where a redrawn bar is noise.
/// </summary>
public static class SendProgress
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BarEvery = TimeSpan.FromMilliseconds(250);

    public static Task<T> TrackAsync<T>(CliContext context, DispatchCounters counters, Task<T> sending) =>
        ReferenceEquals(context.Error, Console.Error) && Console.Error is HeldWriter terminal && !Console.IsErrorRedirected
            ? BarAsync(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal.Inner) }), terminal, counters, sending)
            : LinesAsync(context.Error, counters, sending);

    private static async Task<T> LinesAsync<T>(TextWriter error, DispatchCounters counters, Task<T> sending)
    {
        var started = Stopwatch.GetTimestamp();
        while (await Task.WhenAny(sending, Task.Delay(LineEvery)) != sending)
            await error.WriteLineAsync($"progress: {Describe(counters, started)}");
        return await sending;
    }

    /// <summary>The live bar on <paramref name="console"/>; log lines written to <paramref name="logs"/> meanwhile come out after it.</summary>
    internal static async Task<T> BarAsync<T>(IAnsiConsole console, HeldWriter logs, DispatchCounters counters, Task<T> sending)
    {
        var started = Stopwatch.GetTimestamp();
        // Narrow terminals get the counts in short, so the bar keeps its width instead of shrinking to a few cells.
        var narrow = console.Profile.Width < WideTerminal;
        using (logs.Hold())
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = narrow ? 20 : 40 }, new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask("Sending", maxValue: 1);
                    do
                    {
                        // Total is known only once the edition is planned, a moment after the send starts.
                        bar.MaxValue = Math.Max(1, counters.Total);
                        bar.Value = counters.Done;
                        bar.Description = Markup.Escape(narrow ? Short(counters, started) : Describe(counters, started));
                    }
                    while (await Task.WhenAny(sending, Task.Delay(BarEvery)) != sending || bar.Value < counters.Done);
                });
        }
        return await sending;
    }

    /// <summary>Columns from which the counts fit beside a full-width bar.</summary>
    private const int WideTerminal = 120;

    private static string Short(DispatchCounters c, long started)
    {
        var rate = c.Done / Math.Max(0.001, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return $"{c.Done}/{c.Total} {c.Sent} sent {rate:0}/s";
    }

    private static string Describe(DispatchCounters c, long started)
    {
        var rate = c.Done / Math.Max(0.001, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return $"{c.Done}/{c.Total} ({c.Sent} sent, {c.Deferred} deferred, {c.Bounced} bounced, {c.Skipped} skipped) {rate:0}/s";
    }
}
