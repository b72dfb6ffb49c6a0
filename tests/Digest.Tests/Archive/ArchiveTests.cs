using Digest.Comparisons;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Digest.Tests.Archive;

public sealed class ArchiveTests : WorkspaceTest
{
    [Fact]
    public async Task Each_sent_edition_becomes_a_page_with_no_reader_data_and_the_index_lists_the_newest_first()
    {
        var clock = TestWorkspace.ClockAt("2026-11-23T09:00:00Z");
        using var services = Ws.Services(clock);
        var run = services.GetRequiredService<DigestRun>();
        Import(services, Samples.Comparison("first-week", "2026-11-20T10:00:00Z", title: "Alpha vs Beta"));
        await run.SendAsync(null, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(7));
        Import(services, Samples.Comparison("second-week", "2026-11-27T10:00:00Z", title: "Gamma vs Delta"));
        await run.SendAsync(null, CancellationToken.None);

        var first = File.ReadAllText(Path.Combine(Ws.ArchivePath, "edition-0001.html"));
        var second = File.ReadAllText(Path.Combine(Ws.ArchivePath, "edition-0002.html"));
        var index = File.ReadAllText(Path.Combine(Ws.ArchivePath, "index.html"));

        Assert.Contains("Alpha vs Beta", first);
        Assert.Contains("Gamma vs Delta", second);
        foreach (var page in new[] { first, second, index })
        {
            Assert.DoesNotContain("token=", page);
            Assert.DoesNotContain("@example.com", page);
            Assert.DoesNotContain("Hi Ada", page);
            Assert.DoesNotContain("Unsubscribe", page);
        }
        Assert.Contains("href=\"index.html\"", first);
        Assert.True(index.IndexOf("edition-0002.html", StringComparison.Ordinal) < index.IndexOf("edition-0001.html", StringComparison.Ordinal), index);
        Assert.Contains("Gamma vs Delta", index);
        Assert.Empty(Directory.GetFiles(Ws.ArchivePath, "*.partial"));
    }

    [Fact]
    public async Task With_a_base_url_every_mail_links_to_its_archived_page_in_html_and_text()
    {
        Ws.Settings["Digest:Archive:BaseUrl"] = "https://weekly-verdicts.example.com/archive/";
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(Ws.ArchivePath, "edition-0001.html")));
        var message = await MimeMessage.LoadAsync(Ws.OutboxFiles(1)[0]);
        Assert.Contains("<a href=\"https://weekly-verdicts.example.com/archive/edition-0001.html\"", message.HtmlBody);
        Assert.Contains("View in browser: https://weekly-verdicts.example.com/archive/edition-0001.html", message.TextBody);
        var status = await Ws.RunAsync("status");
        Assert.Contains($"Archive: {Ws.ArchivePath}, published at https://weekly-verdicts.example.com/archive/", status.Output);
        Assert.Contains("Pending deferrals: 0", status.Output);
    }

    [Fact]
    public async Task Without_a_base_url_the_mail_has_no_view_in_browser_link_but_the_page_is_still_archived()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(Ws.ArchivePath, "index.html")));
        var message = await MimeMessage.LoadAsync(Ws.OutboxFiles(1)[0]);
        Assert.DoesNotContain("View in browser", message.HtmlBody);
        Assert.DoesNotContain("View in browser", message.TextBody);
    }

    private void Import(ServiceProvider services, params Dictionary<string, object?>[] comparisons)
    {
        var file = Ws.WriteFile($"import-{Guid.NewGuid():N}.json", System.Text.Json.JsonSerializer.Serialize(comparisons));
        services.GetRequiredService<ComparisonImporter>().ImportFile(file);
    }
}
