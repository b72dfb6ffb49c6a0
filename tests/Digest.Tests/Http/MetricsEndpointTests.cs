using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// The worker's <c>/metrics</c>, scraped over real HTTP after the worker itself sent an edition to the SMTP sink.
/// The relay is named after the sink's port so that sends by other tests in this process cannot be mistaken for these.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed partial class MetricsEndpointTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task After_the_worker_sends_an_edition_metrics_shows_each_message_sent_by_its_relay_with_its_latency()
    {
        RunningWorker.Configure(Ws);
        var relay = $"sink{Sink.Port}";
        Ws.Settings["Digest:Smtp:Name"] = relay;
        // Every second: the worker drafts and sends the edition itself, as on its weekly morning.
        Ws.Settings["Digest:Schedule:Cron"] = "* * * * * ?";
        await using var worker = await RunningWorker.StartAsync(Ws);

        var scrape = await ScrapeUntilAsync(worker, text => Value(text, "digest_messages_total", relay, "outcome=\"sent\"") >= 3);

        Assert.Equal(3, Sink.Messages.Count);
        Assert.Equal(3, Value(scrape, "digest_messages_total", relay, "outcome=\"sent\""));
        Assert.Equal(3, Value(scrape, "digest_send_duration_seconds_count", relay));
        Assert.Contains("# TYPE digest_send_duration_seconds histogram", scrape);
        Assert.Contains("# TYPE digest_messages_total counter", scrape);
    }

    [Fact]
    public async Task A_one_click_unsubscribe_is_counted_at_metrics()
    {
        RunningWorker.Configure(Ws);
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 0, first.ToString());
        var message = Assert.Single(Sink.To("grace@example.com")).Parse();
        var link = Regex.Match(message.Headers["List-Unsubscribe"] ?? "", "<(http[^>]+)>").Groups[1].Value;
        await using var worker = await RunningWorker.StartAsync(Ws);

        var response = await worker.Http.PostAsync(link, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Other tests in this process may unsubscribe too; this worker's count is at least this one.
        var scrape = await ScrapeUntilAsync(worker, text => text.Contains("digest_unsubscribes_total{", StringComparison.Ordinal));
        Assert.Matches(@"digest_unsubscribes_total\{[^}]*via=""one_click""[^}]*\} [1-9]", scrape);
    }

    /// <summary>Scrapes until <paramref name="done"/> holds: the worker's send and the scrape run concurrently.</summary>
    private static async Task<string> ScrapeUntilAsync(RunningWorker worker, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await worker.Http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            if (done(text)) return text;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException("The expected series never appeared at /metrics:\n" + text);
    }

    /// <summary>The value of the series <paramref name="name"/> whose labels include relay and every <paramref name="labels"/>; -1 if absent.</summary>
    private static double Value(string scrape, string name, string relay, params string[] labels)
    {
        foreach (Match m in Series().Matches(scrape))
        {
            if (m.Groups["name"].Value != name) continue;
            var set = m.Groups["labels"].Value;
            if (set.Contains($"relay=\"{relay}\"") && labels.All(set.Contains))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return -1;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Series();
}
