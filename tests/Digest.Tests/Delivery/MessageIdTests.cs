using Microsoft.Extensions.DependencyInjection;
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
        Assert.All(ids, id => Assert.Matches("^digest\\.1\\.[0-9]{10}\\.[0-9a-f]{16}\\.[0-9a-f]{20}@weekly-verdicts\\.example\\.com$", id));
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
        Assert.Equal(ids[0][3], ids[1][3]);
    }

    [Fact]
    public async Task An_edition_goes_out_in_address_order_whatever_order_the_file_lists_readers_in_and_its_message_ids_sort_the_same_way()
    {
        // One connection, so the sink sees the plan's order. The order is what lets a long plan be written into the
        // store's address and Message-ID indexes at one moving point (docs/benchmarks.md).
        var ws = Workspace();
        ws.Settings["Digest:Smtp:Connections"] = "1";
        ws.WriteSubscribers(("zoe@example.com", null), ("Grace@example.com", null), ("ada.lovelace@example.com", null),
            ("alan@example.com", null), ("ada@example.com", null), ("Bob@Example.com", null));

        Assert.Equal(0, (await ws.RunAsync("send-now")).ExitCode);

        var arrived = _sink.Messages.Select(m => m.Parse()).ToList();
        Assert.Equal(["ada.lovelace@example.com", "ada@example.com", "alan@example.com", "Bob@Example.com", "Grace@example.com", "zoe@example.com"],
            arrived.Select(m => m.To.Mailboxes.Single().Address));
        var ids = arrived.Select(m => m.MessageId!).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(["0000000000", "0000000001", "0000000002", "0000000003", "0000000004", "0000000005"], ids.Select(id => id.Split('.')[2]));
    }

    [Fact]
    public void A_message_id_verifies_for_its_own_edition_position_and_reader_and_one_made_before_positions_were_in_it_still_verifies()
    {
        var ws = Workspace();
        using var services = ws.Services();
        var ids = services.GetRequiredService<Digest.Messages.MessageIds>();
        var id = ids.For(3, 41, "Ada@example.com");
        Assert.True(ids.Verify(id, 3, "ada@example.com"));
        Assert.True(ids.Verify(id.ToUpperInvariant(), 3, "ada@example.com"));
        Assert.False(ids.Verify(id, 4, "ada@example.com"));
        Assert.False(ids.Verify(id, 3, "grace@example.com"));
        Assert.False(ids.Verify(id.Replace(".0000000041.", ".0000000042."), 3, "ada@example.com"));
        Assert.False(ids.Verify(id.Replace(".0000000041.", ".41."), 3, "ada@example.com"));

        // The form editions planned before this version carry: digest.EDITION.STORE.MAC, the MAC over list, store, edition and address.
        var store = services.GetRequiredService<Digest.Messages.IStoreIdentity>().Id;
        var key = services.GetRequiredService<Digest.Subscribers.UnsubscribeKey>().DeriveFor("digest message id");
        var mac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key,
            System.Text.Encoding.UTF8.GetBytes($"weekly-verdicts.example.com\n{store}\n3\nada@example.com")), 0, 10);
        var older = $"digest.3.{store}.{mac}@weekly-verdicts.example.com";
        Assert.True(ids.Verify(older, 3, "ada@example.com"));
        Assert.False(ids.Verify(older, 3, "grace@example.com"));
        Assert.False(ids.Verify($"digest.3.{store}.{new string('0', 20)}@weekly-verdicts.example.com", 3, "ada@example.com"));
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
