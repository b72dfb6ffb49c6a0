using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Delivery;

/// <summary>
/// Refusals that are about the relay, not the reader (RFC 3463 enhanced codes and, without them, the text):
/// nobody is suppressed for them, and a relay that "bounces" everyone is stopped by the circuit breaker.
/// </summary>
public sealed class RelayRefusalTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_relay_that_answers_every_recipient_relay_access_denied_suppresses_nobody_and_the_readers_stay_planned()
    {
        Sink.RejectEveryRecipient = "554 5.7.1 <reader@example.com>: Relay access denied";

        var result = await Ws.RunAsync("send-now");
        var suppressions = await Ws.RunAsync("suppressions");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("554 5.7.1", result.Error);
        Assert.Contains("Relay access denied", result.Error);
        Assert.Contains("0 sent, 0 deferred, 0 bounced, 0 skipped, 0 failed, 3 not yet sent", result.Output);
        Assert.Equal("email,reason,at,detail", suppressions.Output.Trim());
        Assert.Contains("unfinished", (await Ws.RunAsync("status")).Output);

        // With the login fixed, the same edition reaches everyone.
        Sink.RejectEveryRecipient = null;
        var again = await Ws.RunAsync("send-now");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Edition 1: 3 sent, 0 deferred, 0 bounced", again.Output);
    }

    [Theory]
    [InlineData("530 5.7.0 Authentication required")]
    [InlineData("535 5.7.8 Authentication credentials invalid")]
    [InlineData("550 5.3.0 mail system full")]
    [InlineData("554 5.4.6 routing loop detected")]
    [InlineData("452 4.5.3 Too many recipients")]
    [InlineData("550 relaying denied")]
    public async Task A_policy_system_or_capacity_refusal_of_a_recipient_is_the_relays_problem(string reply)
    {
        Ws.Settings["Digest:Delivery:Retries"] = "0";
        Sink.RejectEveryRecipient = reply;

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains(reply, result.Error);
        Assert.Contains("0 bounced, 0 skipped, 0 failed, 3 not yet sent", result.Output);
        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
    }

    [Theory]
    [InlineData("550 5.1.1 <grace@example.com>: Recipient address rejected: User unknown")]
    [InlineData("550 5.1.10 Recipient address rejected: null MX")]
    [InlineData("550 5.2.1 mailbox disabled")]
    [InlineData("550 No such user here")]
    [InlineData("553 mailbox name not allowed: user unknown")]
    public async Task A_permanent_refusal_of_the_address_is_that_readers_hard_bounce(string reply)
    {
        Sink.RecipientReply["grace@example.com"] = reply;

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2 sent, 0 deferred, 1 bounced", result.Output);
        Assert.Contains("grace@example.com,HardBounce", (await Ws.RunAsync("suppressions")).Output);
    }

    [Fact]
    public async Task A_relay_that_calls_every_address_unknown_trips_the_breaker_and_the_suppressions_of_the_run_are_restored()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, 60).Select(i => ($"reader{i:D2}@example.com", (string?)null)).ToArray());
        Ws.Settings["Digest:Smtp:Connections"] = "1";
        Sink.RejectEveryRecipient = "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table";

        var result = await Ws.RunAsync("send-now");
        var suppressions = await Ws.RunAsync("suppressions");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("circuit breaker", result.Error);
        Assert.Contains("0 bounced", result.Output);
        Assert.Contains("60 not yet sent", result.Output);
        Assert.Equal("email,reason,at,detail", suppressions.Output.Trim());

        Sink.RejectEveryRecipient = null;
        var again = await Ws.RunAsync("send-now");
        Assert.Contains("Edition 1: 60 sent", again.Output);
    }

    [Fact]
    public async Task A_list_with_a_few_dead_addresses_does_not_trip_the_breaker()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, 60).Select(i => ($"reader{i:D2}@example.com", (string?)null)).ToArray());
        Ws.Settings["Digest:Smtp:Connections"] = "1";
        // 19 dead addresses among the first 40: many, but not most.
        foreach (var i in Enumerable.Range(0, 19)) Sink.HardReject.Add($"reader{2 * i:D2}@example.com");

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Edition 1: 41 sent, 0 deferred, 19 bounced", result.Output);
    }

    [Fact]
    public async Task Resubscribe_by_edition_lifts_that_editions_hard_bounces_in_bulk_with_a_dry_run_first()
    {
        Sink.HardReject.Add("grace@example.com");
        Sink.HardReject.Add("alan@example.com");
        await Ws.RunAsync("send-now");
        await Ws.RunAsync("unsubscribe", "ada@example.com");

        var dry = await Ws.RunAsync("resubscribe", "--edition", "1", "--reason", "hard-bounce", "--dry-run");
        var afterDry = await Ws.RunAsync("suppressions");
        var real = await Ws.RunAsync("resubscribe", "--edition", "1", "--reason", "hard-bounce");
        var after = await Ws.RunAsync("suppressions");

        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Would resubscribe 2 addresses", dry.Output);
        Assert.Contains("alan@example.com", dry.Output);
        Assert.Contains("grace@example.com,HardBounce", afterDry.Output);
        Assert.Equal(0, real.ExitCode);
        Assert.Contains("2 addresses may receive the digest again", real.Output);
        Assert.DoesNotContain("HardBounce", after.Output);
        Assert.Contains("ada@example.com,Unsubscribed", after.Output);
    }
}
