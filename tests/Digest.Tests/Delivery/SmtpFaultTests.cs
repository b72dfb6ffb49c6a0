using Digest.Ledger;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>How each kind of SMTP trouble is classified and what the reader and the admin see.</summary>
public sealed class SmtpFaultTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_soft_reject_is_retried_within_the_run_and_then_delivered()
    {
        Sink.SoftReject("grace@example.com", 2);

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Sink.To("grace@example.com"));
        Assert.Equal(3, Sink.Messages.Count);
    }

    [Fact]
    public async Task A_reader_still_soft_rejected_after_the_retries_is_deferred_and_sent_on_the_next_run()
    {
        Sink.SoftReject("grace@example.com", 100);
        Ws.Settings["Digest:Delivery:Retries"] = "2";

        var first = await Ws.RunAsync("send-now");
        var status = await Ws.RunAsync("status");
        Sink.SoftReject("grace@example.com", 0);
        var second = await Ws.RunAsync("send-now");

        Assert.Equal(3, first.ExitCode);
        Assert.Contains("2 sent, 1 deferred", first.Output);
        Assert.Contains("retrying", status.Output);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Edition 1: 3 sent, 0 deferred", second.Output);
        Assert.Single(Sink.To("grace@example.com"));
        Assert.Single(Sink.To("ada@example.com"));
    }

    [Fact]
    public async Task A_hard_bounce_suppresses_that_reader_and_the_rest_of_the_edition_goes_on()
    {
        Sink.HardReject.Add("grace@example.com");

        var result = await Ws.RunAsync("send-now");
        var suppressions = await Ws.RunAsync("suppressions");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2 sent, 0 deferred, 1 bounced", result.Output);
        Assert.Empty(Sink.To("grace@example.com"));
        Assert.Single(Sink.To("alan@example.com"));
        Assert.Contains("grace@example.com,HardBounce", suppressions.Output);
        Assert.Contains("550 5.1.1", suppressions.Output);

        // The next edition does not even try the bounced address.
        Sink.HardReject.Clear();
        Ws.WriteComparisons("next.json", Samples.Comparison("next-week", DateTime.UtcNow.ToString("O")));
        var next = await Ws.RunAsync("send-now");
        Assert.Contains("Edition 2: 2 sent, 0 deferred, 0 bounced, 1 skipped", next.Output);
        Assert.Empty(Sink.To("grace@example.com"));
    }

    [Fact]
    public async Task A_dropped_connection_is_reopened_and_every_reader_gets_exactly_one_message()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, 30).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());
        Ws.Settings["Digest:Smtp:Connections"] = "1";
        Sink.DropAfterMessages = 10;

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(30, Sink.Messages.Count);
        Assert.Equal(30, Sink.Messages.Select(m => m.Recipients.Single()).Distinct().Count());
        Assert.Equal(2, Sink.Connections);
    }

    [Fact]
    public async Task A_relay_slow_to_acknowledge_a_message_it_kept_is_waited_for_so_the_reader_gets_it_once()
    {
        // The relay has the message once the last byte is in; a client that gives up on the 250 after
        // Smtp:Timeout and sends again delivers it twice (RFC 5321 4.5.3.2.6 gives this reply 10 minutes).
        Sink.SlowAcknowledge["grace@example.com"] = TimeSpan.FromSeconds(3);
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:01";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Sink.To("grace@example.com"));
        Assert.Contains("3 sent", result.Output);
    }

    [Fact]
    public async Task A_stalled_server_times_out_and_cannot_hang_the_run()
    {
        Sink.Stall.Add("grace@example.com");
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:01";
        // Stalled after the message's bytes: only the message's deadline ends the wait for the final reply.
        Ws.Settings["Digest:Smtp:MessageDeadline"] = "00:00:02";
        Ws.Settings["Digest:Delivery:Retries"] = "1";

        var run = Ws.RunAsync("send-now");
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(run, finished);
        var result = await run;
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("1 deferred", result.Output);
        Assert.Single(Sink.To("ada@example.com"));
    }

    [Fact]
    public async Task A_server_that_refuses_everyone_stops_the_edition_and_nothing_is_marked_sent()
    {
        Sink.RejectSender = "550 5.7.1 relaying denied for this sender";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Stopped early: 550 5.7.1 relaying denied", result.Error);
        Assert.Contains("0 sent", result.Output);
        Assert.Empty(Sink.Messages);
        Assert.Contains("unfinished", (await Ws.RunAsync("status")).Output);

        // Once the server accepts again, the next run finishes the same edition.
        Sink.RejectSender = null;
        var again = await Ws.RunAsync("send-now");
        Assert.Contains("Edition 1: 3 sent", again.Output);
    }

    [Fact]
    public async Task A_server_that_is_down_stops_the_edition_with_a_clear_error()
    {
        Ws.Settings["Digest:Smtp:Port"] = SmtpSink.FreePort().ToString();
        Ws.Settings["Digest:Delivery:Retries"] = "1";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Stopped early: cannot connect to 127.0.0.1:", result.Error);
        Assert.Contains("0 sent", result.Output);
    }

    [Fact]
    public async Task A_refusal_at_DATA_of_one_readers_message_is_that_readers_outcome_and_the_edition_goes_on()
    {
        Sink.DataReply["grace@example.com"] = "554 5.7.1 message content rejected by filter";

        var result = await Ws.RunAsync("send-now");
        var status = await Ws.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Edition 1: 2 sent, 0 deferred, 0 bounced, 0 skipped, 1 failed", result.Output);
        Assert.Contains("complete", status.Output);
        Assert.Single(Sink.To("ada@example.com"));
        Assert.Single(Sink.To("alan@example.com"));
        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
        using var services = Ws.Services();
        var grace = services.GetRequiredService<IDeliveryLedger>().Find(1, "grace@example.com")!;
        Assert.Equal(DeliveryState.Failed, grace.State);
        Assert.Equal("554 5.7.1 message content rejected by filter", grace.LastReply);
    }

    [Fact]
    public async Task A_reader_with_a_500_character_name_gets_the_edition_with_no_line_over_998_octets()
    {
        var name = new string('ö', 500);
        Ws.WriteSubscribers(("ada@example.com", "Ada Lovelace"), ("long@example.com", name));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = Assert.Single(Sink.To("long@example.com")).Parse();
        Assert.Contains($"Hi {name},", message.TextBody);
        Assert.Contains(name, message.HtmlBody);
    }

    [Fact]
    public async Task A_relay_answering_421_on_connect_counts_against_the_relay_and_no_reader_is_given_up()
    {
        Sink.RefuseConnection = "421 4.3.2 service not available, closing channel";
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        for (var run = 0; run < 4; run++)
        {
            var down = await Ws.RunAsync("send-now");
            Assert.Equal(3, down.ExitCode);
            Assert.Contains("0 sent, 0 deferred, 0 bounced, 0 skipped, 0 failed, 3 not yet sent", down.Output);
            Assert.Contains("421 4.3.2 service not available", down.Error);
        }
        Sink.RefuseConnection = null;
        var back = await Ws.RunAsync("send-now");

        Assert.Equal(0, back.ExitCode);
        Assert.Contains("Edition 1: 3 sent, 0 deferred, 0 bounced, 0 skipped, 0 failed", back.Output);
    }

    [Fact]
    public async Task A_server_that_never_greets_is_a_relay_failure_with_a_message()
    {
        Sink.NeverGreet = true;
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:01";
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Stopped early: cannot connect to 127.0.0.1:", result.Error);
        Assert.Contains("3 not yet sent", result.Output);
    }

    [Fact]
    public async Task A_server_that_stalls_at_AUTH_is_a_relay_failure_with_a_message()
    {
        Sink.StallAtAuth = true;
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:01";
        Ws.Settings["Digest:Smtp:Username"] = "digest";
        Ws.Settings["Digest:Smtp:Password"] = "secret-password";
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Stopped early:", result.Error);
        Assert.Contains("3 not yet sent", result.Output);
        Assert.DoesNotContain("secret-password", result.Error + result.Output);
    }

    [Fact]
    public async Task A_server_dripping_an_endless_reply_is_cut_off_at_the_message_deadline()
    {
        Sink.DripEhlo = true;
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:01";
        Ws.Settings["Digest:Smtp:MessageDeadline"] = "00:00:03";
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        var run = Ws.RunAsync("send-now");
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(run, finished);
        var result = await run;
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Stopped early:", result.Error);
        Assert.Contains("3 not yet sent", result.Output);
    }

    [Fact]
    public async Task A_message_deadline_shorter_than_the_command_timeout_is_refused_at_start_up()
    {
        Ws.Settings["Digest:Smtp:MessageDeadline"] = "00:00:02";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Smtp:MessageDeadline must be at least Digest:Smtp:Timeout (00:00:30) and at most 01:00:00, was 00:00:02.", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task The_rate_limit_spreads_messages_over_time()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, 12).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());
        Ws.Settings["Digest:Smtp:MaxPerSecond"] = "10";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        var times = Sink.Messages.Select(m => m.At).Order().ToList();
        // 12 messages at 10 a second cannot arrive within less than about a second.
        Assert.True(times[^1] - times[0] >= TimeSpan.FromMilliseconds(800), $"spread {(times[^1] - times[0]).TotalMilliseconds} ms");
    }
}
