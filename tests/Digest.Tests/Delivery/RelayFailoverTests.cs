using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Delivery;

/// <summary>Several relays in order: traffic moves to the next when one fails, and back when it recovers.</summary>
public sealed class RelayFailoverTests : IAsyncLifetime
{
    private const int Readers = 40;
    private readonly SmtpSink _backup = new();
    private TestWorkspace _ws = null!;

    public Task InitializeAsync()
    {
        _ws = new TestWorkspace();
        _ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i:D3}@example.com", (string?)null)).ToArray());
        _ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        _ws.Settings["Digest:Delivery:Retries"] = "1";
        Relay(1, "backup", _backup.Port, cost: "0.80");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _backup.DisposeAsync();
        _ws.Dispose();
    }

    private void Relay(int index, string name, int port, string cost = "0")
    {
        var key = $"Digest:Relays:{index}";
        _ws.Settings[$"{key}:Name"] = name;
        _ws.Settings[$"{key}:Host"] = "127.0.0.1";
        _ws.Settings[$"{key}:Port"] = port.ToString();
        _ws.Settings[$"{key}:Security"] = "None";
        _ws.Settings[$"{key}:Connections"] = "2";
        _ws.Settings[$"{key}:Timeout"] = "00:00:05";
        _ws.Settings[$"{key}:CostPerThousand"] = cost;
    }

    private void AssertEveryReaderExactlyOnce(params SmtpSink[] sinks)
    {
        var received = sinks.SelectMany(s => s.Messages).Select(m => m.Recipients.Single()).ToList();
        Assert.Equal(Readers, received.Count);
        Assert.Equal(Readers, received.Distinct().Count());
    }

    [Fact]
    public async Task A_dead_primary_fails_over_to_the_second_relay_and_every_reader_is_delivered_exactly_once()
    {
        Relay(0, "primary", SmtpSink.FreePort(), cost: "0.10");

        var result = await _ws.RunAsync("send-now");
        var status = await _ws.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertEveryReaderExactlyOnce(_backup);
        Assert.Contains($"Edition #1 sent via: backup {Readers} (0.03); cost 0.03", status.Output);
    }

    [Fact]
    public async Task A_primary_failing_transiently_past_its_retries_hands_its_traffic_to_the_next_relay()
    {
        await using var primary = new SmtpSink { RejectSender = "451 4.3.0 local problem, try later" };
        Relay(0, "primary", primary.Port);

        var result = await _ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(primary.Messages);
        AssertEveryReaderExactlyOnce(_backup);
    }

    [Fact]
    public async Task A_primary_that_denies_relaying_to_every_recipient_hands_its_traffic_over_and_suppresses_nobody()
    {
        await using var primary = new SmtpSink { RejectEveryRecipient = "554 5.7.1 <reader@example.com>: Relay access denied" };
        Relay(0, "primary", primary.Port);

        var result = await _ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Edition 1: {Readers} sent, 0 deferred, 0 bounced", result.Output);
        AssertEveryReaderExactlyOnce(_backup);
        Assert.Equal("email,reason,at,detail", (await _ws.RunAsync("suppressions")).Output.Trim());
    }

    [Fact]
    public async Task Traffic_moves_back_to_the_primary_when_it_recovers()
    {
        var port = SmtpSink.FreePort();
        Relay(0, "primary", port);
        _ws.Settings["Digest:Delivery:RelayRetryAfter"] = "00:00:00.300";
        _backup.DataDelay = TimeSpan.FromMilliseconds(60);

        var run = _ws.RunAsync("send-now");
        while (_backup.Messages.Count < 4 && !run.IsCompleted) await Task.Delay(10);
        await using var primary = new SmtpSink(port);
        var result = await run;
        var status = await _ws.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(primary.Messages);
        Assert.NotEmpty(_backup.Messages);
        AssertEveryReaderExactlyOnce(primary, _backup);
        Assert.Contains($"primary {primary.Messages.Count}", status.Output);
        Assert.Contains($"backup {_backup.Messages.Count}", status.Output);
    }
}
