using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>A subscriber list exported from a spreadsheet as CSV, chosen by the .csv extension.</summary>
public sealed class SubscriberCsvTests : SinkTest
{
    private readonly string _csv;

    public SubscriberCsvTests() : base(
        Samples.Comparison("tools-one", "2026-11-20T10:00:00Z", category: "Developer Tools", title: "Tools One"),
        Samples.Comparison("audio-one", "2026-11-21T10:00:00Z", category: "Audio", title: "Audio One"))
    {
        _csv = Path.Combine(Ws.Root, "subscribers.csv");
        Ws.Settings["Digest:Subscribers:Path"] = _csv;
    }

    [Fact]
    public async Task A_csv_list_with_quoted_commas_and_categories_is_delivered_by_preference()
    {
        File.WriteAllText(_csv, """
            email,name,categories
            ada@example.com,"Ada Lovelace, Countess",
            grace@example.com,Grace Hopper,Audio;Video
            "alan@example.com",Alan,"Developer Tools | Audio"
            video@example.com,,Video
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Edition 1: 3 sent, 0 deferred, 0 bounced, 1 skipped", result.Output);
        var ada = Assert.Single(Sink.To("ada@example.com")).Parse();
        Assert.Equal("Ada Lovelace, Countess", ((MimeKit.MailboxAddress)ada.To[0]).Name);
        Assert.Contains("Hi Ada,", ada.TextBody);
        Assert.Contains("Tools One", ada.TextBody);
        Assert.Contains("Audio One", ada.TextBody);
        var grace = Assert.Single(Sink.To("grace@example.com")).Parse();
        Assert.Contains("Audio One", grace.HtmlBody);
        Assert.DoesNotContain("Tools One", grace.HtmlBody);
        Assert.Contains("Tools One", Assert.Single(Sink.To("alan@example.com")).Parse().TextBody);
        Assert.Empty(Sink.To("video@example.com"));
    }

    [Fact]
    public async Task Csv_errors_name_the_file_the_line_and_the_entry_and_nobody_is_sent_to()
    {
        File.WriteAllText(_csv, """
            email,name,categories
            ada@example.com,Ada,
            not-an-address,Bob,
            ADA@example.com,Ada again,
            alan@example.com,Alan
            grace@example.com,"Grace, unterminated,
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_csv}:3: email: \"not-an-address\" is not a valid email address", result.Error);
        Assert.Contains($"{_csv}:4: email: \"ADA@example.com\" is a duplicate of line 2", result.Error);
        Assert.Contains($"{_csv}:5: has 2 fields, the header has 3: alan@example.com,Alan", result.Error);
        Assert.Contains($"{_csv}:6: not valid CSV", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task A_misspelt_column_is_refused_rather_than_sending_everyone_everything()
    {
        File.WriteAllText(_csv, "email,name,categores\nada@example.com,Ada,Audio\n");

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_csv}:1: header: unknown column \"categores\" (expected email, name, categories, timezone)", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task A_name_written_last_name_first_is_greeted_hi_there_not_by_the_last_name()
    {
        File.WriteAllText(_csv, """
            email,name,categories
            ada@example.com,"Lovelace, Ada",
            grace@example.com,Dr. Grace Hopper,
            alan@example.com,Alan Turing,
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        var ada = Assert.Single(Sink.To("ada@example.com")).Parse();
        Assert.Contains("Hi there,", ada.TextBody);
        Assert.DoesNotContain("Lovelace,,", ada.TextBody);
        Assert.Contains("Hi there,", Assert.Single(Sink.To("grace@example.com")).Parse().TextBody);
        Assert.Contains("Hi Alan,", Assert.Single(Sink.To("alan@example.com")).Parse().TextBody);
    }
}
