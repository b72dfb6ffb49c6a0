using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>An unsubscribe made while an edition is going out is honoured for the readers not yet sent.</summary>
public sealed class UnsubscribeWhileSendingTests : SinkTest
{
    private const int Readers = 60;

    public override Task InitializeAsync()
    {
        // One connection, so the sender is known to be held at reader 20 while the unsubscribes are made.
        Ws.Settings["Digest:Smtp:Connections"] = "1";
        Ws.Settings["Digest:Smtp:Timeout"] = "00:00:30";
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => (Reader(i), (string?)null)).ToArray());
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return Task.CompletedTask;
    }

    private static string Reader(int i) => $"reader{i:D2}@example.com";

    [Fact]
    public async Task Readers_unsubscribed_from_another_process_while_the_edition_is_sending_do_not_get_it()
    {
        var release = new TaskCompletionSource();
        Sink.HoldData(Reader(20), release.Task);
        using var sender = ChildWorker.Start(Ws, "send-now");
        await WaitForAsync(() => Sink.Messages.Count >= 20 || sender.HasExited);
        Assert.False(sender.HasExited, sender.Output);

        for (var i = 30; i < 40; i++)
            Assert.Equal(0, (await Ws.RunAsync("unsubscribe", Reader(i))).ExitCode);
        // The sender says when it has seen them (over one or more looks); then the held message may complete.
        await WaitForAsync(() => SeenBy(sender) >= 10 || sender.HasExited);
        release.SetResult();
        var exit = await sender.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, sender.Output);
        Assert.Contains("10 skipped", sender.Output);
        for (var i = 30; i < 40; i++) Assert.Empty(Sink.To(Reader(i)));
        Assert.Equal(Readers - 10, Sink.Messages.Count);
    }

    private static int SeenBy(ChildWorker sender) =>
        System.Text.RegularExpressions.Regex.Matches(sender.Output, @"(\d+) addresses suppressed while it was sending").Sum(m => int.Parse(m.Groups[1].Value));

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
