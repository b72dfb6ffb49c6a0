using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>`digest status` read in terminals of common widths: nothing of the editions' part wraps.</summary>
public sealed class StatusLayoutTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    public override async Task InitializeAsync()
    {
        var sent = await Ws.RunAsync("send-now");
        Assert.True(sent.ExitCode == 0, sent.ToString());
    }

    [Fact]
    public async Task At_80_columns_each_edition_is_a_block_of_lines_that_fit_with_every_count_named()
    {
        var status = await Ws.RunAsync("status", "--width", "80");

        Assert.True(status.ExitCode == 0, status.ToString());
        var lines = EditionPart(status.Output);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Matches(@"^#1  \d{4}-\d\d-\d\d \d\d:\d\d UTC  1 comparisons  complete$", lines[0]);
        Assert.Equal("    3 readers: 3 sent, 0 deferred, 0 bounced, 0 skipped, 0 failed, 0 unsent", lines[1]);
    }

    [Fact]
    public async Task At_120_columns_the_table_fits_on_one_row_an_edition()
    {
        var status = await Ws.RunAsync("status", "--width", "120");

        Assert.True(status.ExitCode == 0, status.ToString());
        var lines = EditionPart(status.Output);
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} columns: {l}"));
        var row = Assert.Single(lines, l => l.TrimStart().StartsWith("#1", StringComparison.Ordinal));
        Assert.Matches(@"#1 +│? *\d{4}-\d\d-\d\d \d\d:\d\d +│? *1 +│? *3 +│? *3 +│? *0 +│? *0 +│? *0 +│? *0 +│? *0 +│? *complete", row);
    }

    /// <summary>The lines before the per-relay and store summary: the editions, as a table or as blocks.</summary>
    private static List<string> EditionPart(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => !l.StartsWith("Edition #", StringComparison.Ordinal) && !l.StartsWith("Bounce mailbox", StringComparison.Ordinal))
            .Where(l => l.Trim().Length > 0).ToList();
}
