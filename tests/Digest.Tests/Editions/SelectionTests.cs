using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
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
        Assert.Null(services.GetRequiredService<IEditionStore>().Latest());
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

        var edition = services.GetRequiredService<IEditionStore>().Latest()!;
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

        var edition = services.GetRequiredService<IEditionStore>().Latest()!;
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
        var first = services.GetRequiredService<IEditionStore>().Latest()!;
        Assert.Equal(["at-cut-off"], first.Comparisons.Select(c => c.Slug));
        Assert.Equal(new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), first.CutOff);

        clock.Advance(TimeSpan.FromDays(7));
        await SendAsync(services);

        var second = services.GetRequiredService<IEditionStore>().Latest()!;
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
        Assert.Equal(DeliveryState.Sent, services.GetRequiredService<IDeliveryLedger>().Find(1, "ADA@example.com")!.State);
    }

    [Fact]
    public async Task Comparisons_the_cap_left_out_go_out_in_the_next_edition()
    {
        Ws.Settings["Digest:Edition:MaxComparisons"] = "2";
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services,
            Samples.Comparison("c1", "2026-11-18T10:00:00Z"),
            Samples.Comparison("c2", "2026-11-19T10:00:00Z"),
            Samples.Comparison("c3", "2026-11-20T10:00:00Z"));

        await SendAsync(services);
        clock.Advance(TimeSpan.FromDays(7));
        var second = await SendAsync(services);

        Assert.Equal(2, second.Edition);
        Assert.Equal(["c1"], services.GetRequiredService<IEditionStore>().Find(2)!.Comparisons.Select(c => c.Slug));
        Assert.Contains("c1 title", File.ReadAllText(Ws.OutboxFiles(2)[0]));
    }

    [Fact]
    public async Task A_comparison_imported_after_an_edition_but_dated_before_its_cut_off_goes_out_in_the_next()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z"));
        await SendAsync(services);

        // An editor back-dates a page to last Friday, after Monday's edition went out.
        clock.Advance(TimeSpan.FromDays(2));
        Import(services, Samples.Comparison("back-dated", "2026-11-21T10:00:00Z"));
        clock.Advance(TimeSpan.FromDays(5));
        await SendAsync(services);

        Assert.Equal(["back-dated"], services.GetRequiredService<IEditionStore>().Find(2)!.Comparisons.Select(c => c.Slug));
    }

    [Fact]
    public async Task After_the_clock_was_30_days_ahead_once_what_was_published_meanwhile_still_goes_out()
    {
        var clock = TestWorkspace.ClockAt("2026-12-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z"));
        await SendAsync(services);

        clock.AdjustTime(DateTimeOffset.Parse("2026-11-24T09:00:00Z"));
        Import(services, Samples.Comparison("meanwhile", "2026-11-26T10:00:00Z"));
        clock.AdjustTime(DateTimeOffset.Parse("2026-11-30T09:00:00Z"));
        var second = await SendAsync(services);

        Assert.Equal(2, second.Edition);
        Assert.Equal(["meanwhile"], services.GetRequiredService<IEditionStore>().Find(2)!.Comparisons.Select(c => c.Slug));
    }

    [Fact]
    public async Task A_comparison_edited_and_imported_again_after_it_went_out_is_not_sent_again()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z"));
        await SendAsync(services);

        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z", title: "c1 with a typo fixed"));
        clock.Advance(TimeSpan.FromDays(7));

        Assert.Same(RunOutcome.NothingNew, await SendAsync(services));
    }

    [Fact]
    public async Task With_a_max_age_a_stale_comparison_is_not_sent()
    {
        Ws.Settings["Digest:Edition:MaxAge"] = "30.00:00:00";
        using var services = Ws.Services(TestWorkspace.ClockAt("2026-11-23T09:00:00Z"));
        Import(services,
            Samples.Comparison("stale", "2026-09-01T10:00:00Z"),
            Samples.Comparison("fresh", "2026-11-20T10:00:00Z"));

        await SendAsync(services);

        var edition = services.GetRequiredService<IEditionStore>().Latest()!;
        Assert.Equal(["fresh"], edition.Comparisons.Select(c => c.Slug));
        Assert.Equal(0, edition.LeftOut);
    }

    [Fact]
    public async Task Status_and_the_dry_run_show_what_is_queued_for_the_next_edition()
    {
        Ws.Settings["Digest:Edition:MaxComparisons"] = "1";
        Ws.WriteComparisons("c.json",
            Samples.Comparison("older", "2026-11-18T10:00:00Z"),
            Samples.Comparison("newer", "2026-11-19T10:00:00Z"));
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);

        var status = await Ws.RunAsync("status");
        var dry = await Ws.RunAsync("send-now", "--dry-run");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Queued for the next edition: 1 comparison", status.Output);
        Assert.Contains("2026-11-18  older title", status.Output);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains("Dry run: would send edition 2 with 1 comparisons:", dry.Output);
        Assert.Contains("2026-11-18  older title", dry.Output);
    }

    [Fact]
    public async Task A_store_made_before_comparisons_carried_their_edition_does_not_send_them_again()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        Import(services, Samples.Comparison("c1", "2026-11-20T10:00:00Z"));
        await SendAsync(services);
        // As an older version left it: the edition stored, its comparison not marked.
        var store = services.GetRequiredService<Digest.Storage.LiteDb.LiteDbStore>();
        var c1 = store.Comparisons.FindById("c1");
        c1.EditionNumber = null;
        store.Comparisons.Update(c1);

        clock.Advance(TimeSpan.FromDays(7));

        Assert.Same(RunOutcome.NothingNew, await SendAsync(services));
        Assert.Equal(1, store.Comparisons.FindById("c1").EditionNumber);
    }
}
