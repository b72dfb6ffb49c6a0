using Digest.Tests.Sink;
using Digest.Tests.Support;
using MimeKit;

namespace Digest.Tests.Delivery;

/// <summary>Real SMTP conversations with the in-process sink; assertions are on the bytes that reached it.</summary>
public sealed class SmtpDeliveryTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Alpha vs Beta"),
    Samples.Comparison("gamma-vs-delta", "2026-11-19T10:00:00Z", title: "Gamma vs Delta"))
{
    [Fact]
    public async Task Each_subscriber_gets_exactly_one_personal_message_with_both_parts_and_list_headers()
    {
        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Edition 1: 3 sent", result.Output);
        Assert.Equal(3, Sink.Messages.Count);
        foreach (var (email, greeting) in new[] { ("ada@example.com", "Hi Ada,"), ("grace@example.com", "Hi Grace,"), ("alan@example.com", "Hi there,") })
        {
            var received = Assert.Single(Sink.To(email));
            Assert.Equal("digest@weekly-verdicts.example.com", received.From);
            var message = received.Parse();
            var alternative = Assert.IsType<MultipartAlternative>(message.Body);
            Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType!));
            Assert.NotNull(message.TextBody);
            Assert.NotNull(message.HtmlBody);
            Assert.Contains(greeting, message.TextBody);
            Assert.Contains(greeting, message.HtmlBody);
            Assert.Contains("Alpha vs Beta", message.HtmlBody);
            Assert.Contains("Gamma vs Delta", message.TextBody);
            Assert.Equal("Alpha vs Beta + 1 more · #1", message.Subject);
            Assert.Equal("\"Weekly AI Tool Verdicts\" <weekly-verdicts.example.com>", message.Headers[HeaderId.ListId]);
            Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
            var unsubscribe = message.Headers[HeaderId.ListUnsubscribe] ?? "";
            // No mailbox is read for unsubscribe requests here, so no mailto is offered.
            Assert.Matches("^<https://weekly-verdicts.example.com/unsubscribe\\?token=[A-Za-z0-9_-]+>$", unsubscribe);
            Assert.Contains(unsubscribe[1..unsubscribe.IndexOf('>')].Replace("&", "&amp;"), message.HtmlBody);
            Assert.Equal(email, message.To.Mailboxes.Single().Address);
            Assert.Matches("^digest\\.1\\.[0-9]{10}\\.[0-9a-f]{16}\\.[0-9a-f]{20}@weekly-verdicts.example.com$", message.MessageId);
        }
        Assert.Equal(3, Sink.Messages.Select(m => m.Parse().MessageId).Distinct().Count());
    }

    [Fact]
    public async Task The_message_id_is_the_same_every_time_the_edition_goes_to_the_same_reader()
    {
        Sink.SoftReject("grace@example.com", 10);
        Ws.Settings["Digest:Delivery:Retries"] = "0";

        var first = await Ws.RunAsync("send-now");
        Assert.Equal(3, first.ExitCode);
        var preview = await Ws.RunAsync("preview", "--edition", "1", "--subscriber", "grace@example.com", "--eml");
        Sink.SoftReject("grace@example.com", 0);
        var second = await Ws.RunAsync("send-now");

        Assert.Equal(0, second.ExitCode);
        var grace = Assert.Single(Sink.To("grace@example.com")).Parse();
        Assert.Contains($"Message-Id: <{grace.MessageId}>", preview.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Single(Sink.To("ada@example.com"));
    }

    [Fact]
    public async Task Connections_are_reused_across_messages()
    {
        Ws.WriteSubscribers(Enumerable.Range(0, 40).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());
        Ws.Settings["Digest:Smtp:Connections"] = "2";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(40, Sink.Messages.Count);
        Assert.InRange(Sink.Connections, 1, 2);
    }

    [Fact]
    public async Task A_second_send_now_in_the_same_week_sends_nobody_anything()
    {
        await Ws.RunAsync("send-now");
        var again = await Ws.RunAsync("send-now");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to send", again.Output);
        Assert.Equal(3, Sink.Messages.Count);
    }

    [Fact]
    public async Task Dry_run_renders_every_message_and_sends_nothing()
    {
        var result = await Ws.RunAsync("send-now", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Dry run: would send edition 1 with 2 comparisons", result.Output);
        Assert.Contains("send  ada@example.com", result.Output);
        Assert.Empty(Sink.Messages);
        Assert.Equal(0, Sink.Connections);
        var real = await Ws.RunAsync("send-now");
        Assert.Contains("Edition 1: 3 sent", real.Output);
    }
}
