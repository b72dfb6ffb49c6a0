using Digest.Editions;
using Digest.Ledger;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Editions;

/// <summary>One edition, planned at the schedule, reaching each reader at their local morning (fake clock, real SMTP).</summary>
public sealed class LocalTimeDeliveryTests : SinkTest
{
    public override Task InitializeAsync()
    {
        Ws.Settings["Digest:Schedule:LocalTime"] = "09:00";
        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "utc@example.com" },
                { "email": "tokyo@example.com", "timeZone": "Asia/Tokyo" },
                { "email": "berlin@example.com", "timeZone": "Europe/Berlin" },
                { "email": "newyork@example.com", "timeZone": "America/New_York" },
                { "email": "honolulu@example.com", "timeZone": "Pacific/Honolulu" }
            ] }
            """);
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return Task.CompletedTask;
    }

    private static Task<RunOutcome> RunAsync(ServiceProvider services) =>
        services.GetRequiredService<DigestRun>().SendAsync(null, CancellationToken.None);

    private IEnumerable<string> Received() => Sink.Messages.Select(m => m.Recipients.Single()).Order();

    [Fact]
    public async Task Each_reader_gets_the_edition_at_nine_local_time_on_the_editions_day_and_only_once()
    {
        // Monday 23 November 2026, 09:00 UTC: the schedule fires.
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);

        var first = await RunAsync(services);

        // No zone: now. Tokyo (09:00 = 00:00 UTC) and Berlin (09:00 = 08:00 UTC) have passed: at once.
        Assert.Equal(["berlin@example.com", "tokyo@example.com", "utc@example.com"], Received());
        Assert.Equal(2, first.Waiting);
        Assert.False(first.Undelivered);
        var waiting = services.GetRequiredService<IDeliveryLedger>().Waiting(1, clock.GetUtcNow().UtcDateTime);
        Assert.Equal([("America/New_York", 1, new DateTime(2026, 11, 23, 14, 0, 0)), ("Pacific/Honolulu", 1, new DateTime(2026, 11, 23, 19, 0, 0))],
            waiting.Select(w => (w.Zone, w.Count, w.Next)));

        clock.SetUtcNow(DateTimeOffset.Parse("2026-11-23T13:59:00Z"));
        await RunAsync(services);
        Assert.Equal(3, Sink.Messages.Count);

        clock.SetUtcNow(DateTimeOffset.Parse("2026-11-23T14:00:00Z"));
        await RunAsync(services);
        Assert.Contains("newyork@example.com", Received());
        Assert.Equal(4, Sink.Messages.Count);

        // The worker was down from 14:00 to 20:30: Honolulu's 09:00 (19:00 UTC) passed, so it goes at once.
        clock.SetUtcNow(DateTimeOffset.Parse("2026-11-23T20:30:00Z"));
        var last = await RunAsync(services);
        Assert.Equal(5, Sink.Messages.Count);
        Assert.Equal(5, Received().Distinct().Count());
        Assert.True(services.GetRequiredService<IEditionStore>().Find(1)!.IsComplete);
        Assert.Equal(0, last.Waiting);

        // Nothing is sent twice, and no new edition starts without new comparisons.
        clock.SetUtcNow(DateTimeOffset.Parse("2026-11-23T21:00:00Z"));
        Assert.Same(RunOutcome.NothingNew, await RunAsync(services));
        Assert.Equal(5, Sink.Messages.Count);
    }

    [Fact]
    public async Task The_local_time_tick_never_starts_a_new_edition()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);

        var tick = await services.GetRequiredService<DigestRun>().SendAsync(null, CancellationToken.None, resumeOnly: true);

        Assert.Same(RunOutcome.NothingNew, tick);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task An_unknown_time_zone_in_the_subscriber_file_is_reported_with_its_line()
    {
        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "mars@example.com", "timeZone": "Mars/Olympus" }
            ] }
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:2: subscribers[0].timeZone: \"Mars/Olympus\" is not an IANA time zone", result.Error);
    }
}
