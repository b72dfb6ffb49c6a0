using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Delivery;

/// <summary>Message-IDs as receiving servers see them, across two installations of the same list.</summary>
public sealed class MessageIdTests : IAsyncLifetime
{
    private readonly SmtpSink _sink = new();
    private readonly List<TestWorkspace> _workspaces = [];

    [Fact]
    public async Task Two_stores_of_the_same_list_never_give_a_reader_the_same_message_id()
    {
        // A staging install next to production, or a fresh store after a lost one: both make their own edition 1.
        var production = Workspace();
        var staging = Workspace();

        Assert.Equal(0, (await production.RunAsync("send-now")).ExitCode);
        Assert.Equal(0, (await staging.RunAsync("send-now")).ExitCode);

        var ids = _sink.To("ada@example.com").Select(m => m.Parse().MessageId).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(ids, id => Assert.Matches("^digest\\.1\\.[0-9a-f]{16}\\.[0-9a-f]{20}@weekly-verdicts\\.example\\.com$", id));
    }

    [Fact]
    public async Task The_store_id_in_the_message_id_is_the_same_for_every_edition_of_one_store()
    {
        var ws = Workspace();
        Assert.Equal(0, (await ws.RunAsync("send-now")).ExitCode);
        ws.WriteComparisons("second.json", Samples.Comparison("gamma-vs-delta", DateTime.UtcNow.ToString("O")));
        Assert.Equal(0, (await ws.RunAsync("send-now")).ExitCode);

        var ids = _sink.To("ada@example.com").Select(m => m.Parse().MessageId!.Split('.')).ToList();
        Assert.Equal(["1", "2"], ids.Select(parts => parts[1]));
        Assert.Equal(ids[0][2], ids[1][2]);
    }

    private TestWorkspace Workspace()
    {
        var ws = new TestWorkspace(_sink);
        ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        _workspaces.Add(ws);
        return ws;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        foreach (var ws in _workspaces) ws.Dispose();
    }
}
