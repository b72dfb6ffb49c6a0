using System.Net;
using System.Text.Json;
using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// <c>/healthz</c> (liveness: the scheduler runs) and <c>/readyz</c> (every check) of a running worker, over
/// real HTTP, in each state an admin meets: all well, the relay down, and the last run failed.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed class HealthEndpointTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_worker_with_a_running_schedule_a_readable_store_and_a_reachable_relay_is_healthy_and_ready()
    {
        RunningWorker.Configure(Ws);
        await using var worker = await RunningWorker.StartAsync(Ws);

        var (liveStatus, live) = await GetAsync(worker, "/healthz");
        var (readyStatus, ready) = await GetAsync(worker, "/readyz");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", Status(live));
        Assert.Equal(["scheduler"], Checks(live).Select(c => c.Name));
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", Status(ready));
        Assert.Equal(["last-run", "relay", "scheduler", "store"], Checks(ready).Select(c => c.Name).Order());
        Assert.Contains("reachable: primary", Checks(ready).Single(c => c.Name == "relay").Description);
    }

    [Fact]
    public async Task A_relay_that_refuses_connections_makes_the_worker_degraded_but_still_alive()
    {
        RunningWorker.Configure(Ws);
        Ws.Settings["Digest:Smtp:Port"] = SmtpSink.FreePort().ToString();
        await using var worker = await RunningWorker.StartAsync(Ws);

        var (liveStatus, live) = await GetAsync(worker, "/healthz");
        var (readyStatus, ready) = await GetAsync(worker, "/readyz");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", Status(live));
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Degraded", Status(ready));
        var relay = Checks(ready).Single(c => c.Name == "relay");
        Assert.Equal("Degraded", relay.Status);
        Assert.StartsWith("unreachable: primary (127.0.0.1:", relay.Description);
    }

    [Fact]
    public async Task A_run_the_relay_refused_makes_the_worker_degraded_with_the_reason()
    {
        RunningWorker.Configure(Ws);
        Sink.RejectSender = "550 5.7.1 sender not allowed";
        Ws.Settings["Digest:Schedule:Cron"] = "* * * * * ?";
        await using var worker = await RunningWorker.StartAsync(Ws);

        var ready = await ReadyUntilAsync(worker, r => Checks(r).Any(c => c is { Name: "last-run", Status: "Degraded" }));

        Assert.Equal("Degraded", Status(ready));
        Assert.Contains("recipients still to send", Checks(ready).Single(c => c.Name == "last-run").Description);
        Assert.Empty(Sink.Messages);
    }

    private static async Task<JsonElement> ReadyUntilAsync(RunningWorker worker, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            (_, last) = await GetAsync(worker, "/readyz");
            if (done(last)) return last;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException("/readyz never reached the expected state: " + last);
    }

    private static async Task<(HttpStatusCode, JsonElement)> GetAsync(RunningWorker worker, string path)
    {
        var response = await worker.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{path} answered {(int)response.StatusCode} with no JSON: {body}");
        }
    }

    private static string? Status(JsonElement report) => report.GetProperty("status").GetString();

    private static IEnumerable<(string Name, string? Status, string? Description)> Checks(JsonElement report) =>
        report.GetProperty("checks").EnumerateObject()
            .Select(c => (c.Name, c.Value.GetProperty("status").GetString(), c.Value.GetProperty("description").GetString()));
}
