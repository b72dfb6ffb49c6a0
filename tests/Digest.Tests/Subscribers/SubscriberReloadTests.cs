using Digest.Subscribers;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Subscribers;

/// <summary>Edits to the subscriber file while the worker runs: picked up without a restart, refused whole when broken.</summary>
public sealed class SubscriberReloadTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private readonly LogCapture _log = new();

    [Fact]
    public async Task A_half_written_subscriber_file_keeps_the_last_good_list_for_the_next_edition()
    {
        await using var services = Ws.Services(log: _log);
        Assert.Equal(3, services.GetRequiredService<SubscriberSource>().Current().Count);
        // The admin's editor is midway through saving a longer list: the first reader is there, the rest is not.
        var longer = """
            { "subscribers": [
                { "email": "new@example.com", "name": "Newcomer" },
                { "email": "ada@example.com", "name": "Ada Lovelace" },
                { "email": "grace@example.com" }
            ] }
            """;
        Ws.WriteSubscribersJson(longer[..longer.IndexOf("Ada", StringComparison.Ordinal)]);

        var outcome = await services.GetRequiredService<DigestRun>().SendAsync(null, CancellationToken.None);

        Assert.Equal(3, outcome.Counts!.Sent);
        Assert.Equal(["ada@example.com", "alan@example.com", "grace@example.com"], Sink.Messages.SelectMany(m => m.Recipients).Order());
        Assert.Contains($"The subscriber file {Ws.SubscribersPath} has errors; the edit is refused and the last good list of 3 stays in force", _log.Text);
        Assert.Contains($"{Ws.SubscribersPath}:3: not valid JSON", _log.Text);
    }

    [Fact]
    public async Task The_worker_reports_a_bad_edit_as_it_is_saved_with_file_line_and_entry_then_picks_up_the_fix()
    {
        await using var services = Ws.Services(log: _log);
        var source = services.GetRequiredService<SubscriberSource>();
        using var watcher = new SubscriberFileWatcher(source, TimeProvider.System, services.GetRequiredService<ILogger<SubscriberFileWatcher>>());
        await watcher.StartAsync(CancellationToken.None);
        await _log.WaitForAsync("reloaded: 3 subscribers", TimeSpan.FromSeconds(10));

        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "ada@example.com" },
                { "email": "not-an-address" },
                { "email": "grace@example.com" }
            ] }
            """);
        var refused = await _log.WaitForAsync("has errors", TimeSpan.FromSeconds(10));
        Assert.Contains("the last good list of 3 stays in force", refused);
        Assert.Contains($"{Ws.SubscribersPath}:3: subscribers[1].email: \"not-an-address\" is not a valid email address", refused);
        Assert.Equal(3, source.Current().Count);

        Ws.WriteSubscribers(("ada@example.com", "Ada"), ("grace@example.com", null), ("alan@example.com", null), ("katherine@example.com", "Katherine"));
        await _log.WaitForAsync("reloaded: 4 subscribers (1 added, 0 removed)", TimeSpan.FromSeconds(10));
        await watcher.StopAsync(CancellationToken.None);
    }
}
