using Digest.Comparisons;
using Digest.Delivery;
using Digest.Editions;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Editions;

public sealed class SelectionTests : WorkspaceTest
{
    private void Import(ServiceProvider services, params Dictionary<string, object?>[] comparisons)
    {
        var file = Ws.WriteFile($"import-{Guid.NewGuid():N}.json", System.Text.Json.JsonSerializer.Serialize(comparisons));
        services.GetRequiredService<ComparisonImporter>().ImportFile(file);
    }

    private static async Task<RunOutcome> SendAsync(ServiceProvider services) =>
        await services.GetRequiredService<DigestRun>().SendAsync(null, CancellationToken.None);

    [Fact]
    public async Task With_nothing_published_there_is_no_edition()
    {
        using var services = Ws.Services(TestWorkspace.ClockAt("2026-11-23T09:00:00Z"));

        var outcome = await SendAsync(services);

        Assert.Same(RunOutcome.NothingNew, outcome);
        Assert.Null(services.GetRequiredService<EditionStore>().Latest());
        Assert.Empty(Ws.OutboxFiles(1));
    }

    [Fact]
    public async Task An_edition_holds_at_most_the_cap_newest_first()
    {
        Ws.Settings["Digest:Edition:MaxComparisons"] = "3";
        using var services = Ws.Services(TestWorkspace.ClockAt("2026-11-23T09:00:00Z"));
        Import(services,
            Samples.Comparison("c1", "2026-11-18T10:00:00Z"),
            Samples.Comparison("c2", "2026-11-19T10:00:00Z"),
            Samples.Comparison("c3", "2026-11-20T10:00:00Z"),
            Samples.Comparison("c4", "2026-11-21T10:00:00Z"));

        await SendAsync(services);

        var edition = services.GetRequiredService<EditionStore>().Latest()!;
        Assert.Equal(["c4", "c3", "c2"], edition.Comparisons.Select(c => c.Slug));
        Assert.Equal(1, edition.LeftOut);
    }

    [Fact]
    public async Task Exactly_the_cap_fills_the_edition_with_nothing_left_out()
    {
        Ws.Settings["Digest:Edition:MaxComparisons"] = "2";
        using var services = Ws.Services(TestWorkspace.ClockAt("2026-11-23T09:00:00Z"));
        Import(services, Samples.Comparison("c1", "2026-11-18T10:00:00Z"), Samples.Comparison("c2", "2026-11-19T10:00:00Z"));

        await SendAsync(services);

        var edition = services.GetRequiredService<EditionStore>().Latest()!;
        Assert.Equal(2, edition.Comparisons.Count);
        Assert.Equal(0, edition.LeftOut);
    }

    [Fact]
    public async Task The_cut_off_is_inclusive_for_the_edition_and_exclusive_for_the_next()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services,
            Samples.Comparison("at-cut-off", "2026-11-23T09:00:00Z"),
            Samples.Comparison("in-the-future", "2026-11-23T09:00:01Z"));

        await SendAsync(services);
        var first = services.GetRequiredService<EditionStore>().Latest()!;
        Assert.Equal(["at-cut-off"], first.Comparisons.Select(c => c.Slug));
        Assert.Equal(new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), first.CutOff);

        clock.Advance(TimeSpan.FromDays(7));
        await SendAsync(services);

        var second = services.GetRequiredService<EditionStore>().Latest()!;
        Assert.Equal(2, second.Number);
        Assert.Equal(["in-the-future"], second.Comparisons.Select(c => c.Slug));
        Assert.Equal(first.CutOff, second.PreviousCutOff);
    }

    [Fact]
    public async Task A_second_send_in_the_same_week_sends_nothing_new()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z"));

        var first = await SendAsync(services);
        clock.Advance(TimeSpan.FromHours(1));
        var second = await SendAsync(services);

        Assert.Equal(3, first.Counts!.Sent);
        Assert.Same(RunOutcome.NothingNew, second);
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
        Assert.Empty(Ws.OutboxFiles(2));
        Assert.Equal(DeliveryState.Sent, services.GetRequiredService<DeliveryLedger>().Find(1, "ADA@example.com")!.State);
    }
}
