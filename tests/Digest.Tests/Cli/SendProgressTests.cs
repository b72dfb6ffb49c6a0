using Digest.Dispatch;
using Digest.Ledger;
using Digest.Worker.Cli;
using Spectre.Console.Testing;

namespace Digest.Tests.Cli;

/// <summary>The live progress bar of `send-now` in a terminal, drawn on Spectre's test console.</summary>
public sealed class SendProgressTests
{
    [Fact]
    public async Task A_log_line_written_while_the_bar_is_live_comes_out_whole_after_the_bar()
    {
        var terminal = new StringWriter();
        var logs = new HeldWriter(terminal);
        var console = new TestConsole().Width(80).Interactive();
        var counters = new DispatchCounters { Total = 3 };
        var sending = new TaskCompletionSource<int>();

        var bar = SendProgress.BarAsync(console, logs, counters, sending.Task);
        await logs.WriteAsync("2026-11-27 10:00:00 info: Digest.DigestRun[0] Edition 1: 3 sent, 0 deferred" + Environment.NewLine);
        Assert.Equal("", terminal.ToString());
        foreach (var _ in Enumerable.Range(0, 3)) counters.Count(DeliveryState.Sent);
        sending.SetResult(0);
        await bar;

        Assert.Equal("2026-11-27 10:00:00 info: Digest.DigestRun[0] Edition 1: 3 sent, 0 deferred" + Environment.NewLine, terminal.ToString());
        Assert.Contains("3/3 3 sent", console.Output);
    }

    [Fact]
    public async Task At_80_columns_the_bar_keeps_twenty_cells()
    {
        var console = new TestConsole().Width(80).Interactive();
        var counters = new DispatchCounters { Total = 4 };
        counters.Count(DeliveryState.Sent);
        counters.Count(DeliveryState.Sent);

        await SendProgress.BarAsync(console, new HeldWriter(new StringWriter()), counters, Task.FromResult(0));

        var line = Assert.Single(console.Lines, l => l.Contains("2/4", StringComparison.Ordinal));
        Assert.True(line.Count(c => c is '━' or '╸' or '╺' or '-') >= 20, line);
        Assert.True(line.TrimEnd().Length <= 80, line);
    }
}
