using Digest.Ledger;
using Digest.Tests.Support;
using LiteDB;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Digest.Tests.Storage.LiteDb;

/// <summary>A bounce is matched to its reader by the edition and place its Message-ID names, not by an index of Message-IDs.</summary>
public sealed class MessageIdIndexTests : WorkspaceTest
{
    private string StorePath => Ws.Settings["Digest:Store:Path"]!;

    public MessageIdIndexTests()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Ws.WriteSubscribers(("ada@example.com", "Ada"), ("grace@example.com", "Grace"), ("alan@example.com", "Alan"));
    }

    private IReadOnlyList<string> DeliveryIndexes()
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared, ReadOnly = true });
        return db.GetCollection("$indexes").Find(Query.EQ("collection", "deliveries")).Select(i => i["name"].AsString).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task A_store_an_older_build_indexed_by_Message_ID_lets_the_index_go_on_the_next_write_and_still_finds_each_reader_by_the_ID_they_were_sent()
    {
        var sent = await Ws.RunAsync("send-now");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal(["Key", "_id"], DeliveryIndexes());
        // What an older build left: the same store with an index of Message-IDs, written by every plan.
        using (var db = new LiteDatabase(new ConnectionString { Filename = StorePath, Connection = ConnectionType.Shared }))
            db.GetCollection("deliveries").EnsureIndex("MessageId", "$.MessageId");
        Assert.Equal(["Key", "MessageId", "_id"], DeliveryIndexes());

        var status = await Ws.RunAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(["Key", "MessageId", "_id"], DeliveryIndexes());
        var import = await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "c.json"));
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(["Key", "_id"], DeliveryIndexes());

        using var services = Ws.Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var files = Ws.OutboxFiles(1);
        Assert.Equal(3, files.Count);
        foreach (var file in files)
        {
            var message = MimeMessage.Load(file);
            var messageId = message.MessageId!;
            var reader = ledger.FindByMessageId(messageId);
            Assert.NotNull(reader);
            Assert.Equal(message.To.Mailboxes.Single().Address, reader.Email);
            Assert.Equal(reader.Email, ledger.FindByMessageId(messageId.ToUpperInvariant())!.Email);
        }
    }
}
