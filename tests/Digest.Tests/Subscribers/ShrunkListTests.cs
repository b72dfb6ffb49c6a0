using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>A subscriber list that suddenly empties or shrinks is refused before an edition is planned for it.</summary>
public sealed class ShrunkListTests : WorkspaceTest
{
    private async Task SendFirstEditionAsync(int readers)
    {
        Ws.WriteSubscribers(Enumerable.Range(0, readers).Select(i => ($"reader{i}@example.com", (string?)null)).ToArray());
        Ws.WriteComparisons("c1.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        Assert.Equal(readers, Ws.OutboxFiles(1).Count);
        // Published after edition 1 was made: the next edition's content.
        Ws.WriteComparisons("c2.json", Samples.Comparison("gamma-vs-delta", DateTime.UtcNow.ToString("o")));
    }

    [Fact]
    public async Task An_empty_subscriber_list_is_refused_with_exit_2_and_the_comparisons_wait_for_the_next_edition()
    {
        await SendFirstEditionAsync(3);
        Ws.WriteSubscribersJson("""{"subscribers":[]}""");

        var refused = await Ws.RunAsync("send-now");
        var dryRun = await Ws.RunAsync("send-now", "--dry-run");
        var status = await Ws.RunAsync("status");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains(Ws.SubscribersPath, refused.Error);
        Assert.Contains("--allow-empty", refused.Error);
        Assert.Equal(2, dryRun.ExitCode);
        Assert.DoesNotContain("#2", status.Output);

        Ws.WriteSubscribers(("reader0@example.com", null), ("reader1@example.com", null), ("reader2@example.com", null));
        var next = await Ws.RunAsync("send-now");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains("Edition 2: 3 sent", next.Output);
        Assert.Contains(Ws.OutboxFiles(2), f => File.ReadAllText(f).Contains("gamma-vs-delta title"));
    }

    [Fact]
    public async Task A_list_that_shrank_by_more_than_MaxShrink_is_refused_and_allow_empty_sends_it_anyway()
    {
        await SendFirstEditionAsync(4);
        Ws.WriteSubscribers(("reader0@example.com", null));

        var refused = await Ws.RunAsync("send-now");
        var allowed = await Ws.RunAsync("send-now", "--allow-empty");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("Digest:Subscribers:MaxShrink", refused.Error);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("Edition 2: 1 sent", allowed.Output);
    }

    [Fact]
    public async Task A_list_that_shrank_within_MaxShrink_is_sent()
    {
        await SendFirstEditionAsync(4);
        Ws.WriteSubscribers(("reader0@example.com", null), ("reader1@example.com", null), ("reader2@example.com", null));

        var sent = await Ws.RunAsync("send-now");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("Edition 2: 3 sent", sent.Output);
    }
}
