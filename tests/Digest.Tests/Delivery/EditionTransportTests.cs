using Digest.Tests.Support;
using Digest.Transport;

namespace Digest.Tests.Delivery;

/// <summary>
/// An edition is finished the way it was started: an SMTP edition resumed from a shell without the SMTP
/// settings must not quietly land in the outbox, and an outbox edition must not half go out by mail.
/// </summary>
public sealed class EditionTransportTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task An_smtp_edition_resumed_without_Digest_Smtp_Host_is_refused_naming_the_setting_and_the_relay_it_started_on()
    {
        Sink.SoftReject("grace@example.com", 1000);
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 3, first.ToString());
        var relay = $"smtp 127.0.0.1:{Sink.Port}";

        Ws.Settings.Remove("Digest:Smtp:Host");
        var resumed = await Ws.RunAsync("send-now");

        Assert.True(resumed.ExitCode == 2, resumed.ToString());
        Assert.Contains("Digest:Smtp:Host", resumed.Error);
        Assert.Contains($"edition 1 was started on {relay}", resumed.Error);
        Assert.Empty(Ws.OutboxFiles(1));
        // Only a deferred reader is left, so status calls the edition "retrying" (not complete).
        Assert.Contains("retrying", (await Ws.RunAsync("status")).Output);
    }

    [Fact]
    public async Task An_outbox_edition_resumed_with_an_smtp_host_set_is_refused_and_nothing_is_mailed()
    {
        var host = Ws.Settings["Digest:Smtp:Host"];
        Ws.Settings.Remove("Digest:Smtp:Host");
        // A folder where the first reader's file should go makes the outbox fail, leaving the edition unfinished.
        Directory.CreateDirectory(Path.Combine(Ws.OutboxPath, "edition-0001", OutboxTransport.FileName("ada@example.com") + ".eml"));
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 3, first.ToString());

        Ws.Settings["Digest:Smtp:Host"] = host;
        var resumed = await Ws.RunAsync("send-now");

        Assert.True(resumed.ExitCode == 2, resumed.ToString());
        Assert.Contains($"edition 1 was started on outbox {Ws.OutboxPath}", resumed.Error);
        Assert.Contains("Digest:Smtp:Host", resumed.Error);
        Assert.Empty(Sink.Messages);
    }
}
