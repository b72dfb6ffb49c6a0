using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>`digest send-test`: one reader's message to any address through the configured relay, recorded nowhere.</summary>
[Collection(InProcessWorkers.Name)]
public sealed class SendTestTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_test_send_reaches_the_address_with_a_test_subject_and_the_ledger_is_unchanged()
    {
        // Like preview, send-test imports the folder to know the next edition; the ledger is what must not change.
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"))).ExitCode);
        var before = await Ws.RunAsync("status");

        var result = await Ws.RunAsync("send-test", "--to", "editor@example.org");

        Assert.True(result.ExitCode == 0, result.ToString());
        var received = Assert.Single(Sink.Messages);
        Assert.Equal(["editor@example.org"], received.Recipients);
        var message = received.Parse();
        Assert.StartsWith("[test] ", message.Subject);
        Assert.Contains("alpha", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before.Output, (await Ws.RunAsync("status")).Output);
        // The real edition still goes to every reader afterwards: the test took nobody's place.
        var send = await Ws.RunAsync("send-now");
        Assert.Contains("Edition 1: 3 sent", send.Output);
        Assert.Single(Sink.To("editor@example.org"));
    }

    [Fact]
    public async Task A_test_send_of_a_sent_edition_works_while_the_worker_runs_and_records_nothing()
    {
        RunningWorker.Configure(Ws);
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        await using var worker = await RunningWorker.StartAsync(Ws);
        var before = await Ws.RunAsync("status");

        var result = await Ws.RunAsync("send-test", "--to", "editor@example.org", "--edition", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = Assert.Single(Sink.To("editor@example.org")).Parse();
        Assert.StartsWith("[test] ", message.Subject);
        Assert.Equal(before.Output, (await Ws.RunAsync("status")).Output);
        Assert.Equal(4, Sink.Messages.Count);
    }

    [Fact]
    public async Task A_test_send_to_something_that_is_not_an_address_is_refused_naming_the_option()
    {
        var result = await Ws.RunAsync("send-test", "--to", "not an address");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--to", result.Error);
        Assert.Empty(Sink.Messages);
    }
}

/// <summary>`digest send-test` when mail goes to the outbox folder instead of a relay.</summary>
public sealed class SendTestOutboxTests : WorkspaceTest
{
    [Fact]
    public async Task A_test_to_a_readers_own_address_leaves_their_real_outbox_message_alone()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        var real = Ws.OutboxFiles(1).Single(f => Path.GetFileName(f).StartsWith("ada", StringComparison.Ordinal));
        var before = await File.ReadAllBytesAsync(real);

        var result = await Ws.RunAsync("send-test", "--to", "ada@example.com", "--edition", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(before, await File.ReadAllBytesAsync(real));
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
        var test = Assert.Single(Directory.GetFiles(Path.Combine(Ws.OutboxPath, "test"), "*.eml", SearchOption.AllDirectories));
        Assert.StartsWith("[test] ", MimeKit.MimeMessage.Load(test).Subject);
    }
}
