using Digest.Comparisons;
using Digest.Ledger;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Ledger;

/// <summary>The store keeps a record per reader for the last Digest:Ledger:KeepEditions editions, counts for the older ones.</summary>
public sealed class LedgerRetentionTests : WorkspaceTest
{
    private const int Readers = 200;

    public LedgerRetentionTests()
    {
        Ws.Settings["Digest:Ledger:KeepEditions"] = "3";
        Ws.WriteSubscribers(Enumerable.Range(0, Readers).Select(i => ($"reader{i}@example.com", (string?)$"Reader {i}")).ToArray());
    }

    /// <summary>One weekly edition: a new comparison, a week later, sent to everyone.</summary>
    private async Task WeekAsync(ServiceProvider services, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, int week)
    {
        clock.Advance(TimeSpan.FromDays(7));
        var file = Ws.WriteFile($"week-{week}.json", System.Text.Json.JsonSerializer.Serialize(new[]
        {
            Samples.Comparison($"week-{week}", clock.GetUtcNow().AddHours(-1).ToString("O")),
        }));
        services.GetRequiredService<ComparisonImporter>().ImportFile(file);
        var outcome = await services.GetRequiredService<DigestRun>().SendAsync(null, CancellationToken.None);
        Assert.Equal(Readers, outcome.Counts!.Sent);
    }

    private long StoreBytes() => new FileInfo(Ws.Settings["Digest:Store:Path"]!).Length;

    [Fact]
    public async Task Older_editions_keep_their_counts_but_not_a_record_per_reader_and_the_file_stops_growing()
    {
        var clock = TestWorkspace.ClockAt("2026-01-05T09:00:00Z");
        long afterKeepPlusOne;
        using (var services = Ws.Services(clock))
        {
            for (var week = 1; week <= 4; week++) await WeekAsync(services, clock, week);
            afterKeepPlusOne = StoreBytes();
            for (var week = 5; week <= 10; week++) await WeekAsync(services, clock, week);

            var ledger = services.GetRequiredService<IDeliveryLedger>();
            Assert.Empty(ledger.ForEdition(7));
            Assert.Equal(Readers, ledger.ForEdition(8).Count);
            Assert.Equal(Readers, ledger.ForEdition(10).Count);
        }

        // Deleted pages are reused: ten editions take no more room than four did.
        Assert.True(StoreBytes() <= afterKeepPlusOne * 11 / 10, $"the store grew from {afterKeepPlusOne} to {StoreBytes()} bytes");
        var status = await Ws.RunAsync("status", "--editions", "10");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"#1 .* 200 .* 200 .* complete", status.Output);
        Assert.Matches(@"#10 .* 200 .* 200 .* complete", status.Output);
    }
}
