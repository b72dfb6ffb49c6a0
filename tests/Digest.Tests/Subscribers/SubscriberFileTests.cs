using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

public sealed class SubscriberFileTests : WorkspaceTest
{
    [Fact]
    public async Task Invalid_addresses_and_case_insensitive_duplicates_are_reported_with_their_position()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Ws.WriteSubscribersJson("""
            {
              "subscribers": [
                { "email": "ada@example.com" },
                { "email": "not-an-address" },
                { "email": "ADA@Example.com", "name": "Ada again" }
              ]
            }
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:4: subscribers[1].email: \"not-an-address\" is not a valid email address", result.Error);
        Assert.Contains($"{Ws.SubscribersPath}:5: subscribers[2].email: \"ADA@Example.com\" is a duplicate of subscribers[0]", result.Error);
        Assert.Empty(Ws.OutboxFiles(1));
    }

    [Fact]
    public async Task A_reader_following_categories_gets_only_matching_comparisons()
    {
        Ws.WriteComparisons("c.json",
            Samples.Comparison("tools-one", "2026-11-20T10:00:00Z", category: "Developer Tools", title: "Tools One"),
            Samples.Comparison("audio-one", "2026-11-21T10:00:00Z", category: "Audio", title: "Audio One"));
        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "all@example.com" },
                { "email": "audio@example.com", "categories": ["audio"] },
                { "email": "video@example.com", "categories": ["Video"] }
            ] }
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2 sent", result.Output);
        Assert.Contains("1 skipped", result.Output);
        var audio = MimeKit.MimeMessage.Load(Path.Combine(Ws.OutboxPath, "edition-0001", "audio@example.com.eml"));
        Assert.Contains("Audio One", audio.HtmlBody);
        Assert.DoesNotContain("Tools One", audio.HtmlBody);
        Assert.False(File.Exists(Path.Combine(Ws.OutboxPath, "edition-0001", "video@example.com.eml")));
    }
}
