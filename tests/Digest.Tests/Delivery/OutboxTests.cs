using Digest.Tests.Support;
using MimeKit;

namespace Digest.Tests.Delivery;

public sealed class OutboxTests : WorkspaceTest
{
    [Fact]
    public async Task Without_an_smtp_host_each_message_is_an_eml_file_in_the_outbox_and_the_output_says_where()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        var folder = Path.Combine(Ws.OutboxPath, "edition-0001");
        Assert.Contains($"Messages are in {folder}", result.Output);
        var files = Ws.OutboxFiles(1);
        Assert.Equal(["ada@example.com.eml", "alan@example.com.eml", "grace@example.com.eml"], files.Select(Path.GetFileName));
        var message = MimeMessage.Load(files[0]);
        Assert.Equal("ada@example.com", message.To.Mailboxes.Single().Address);
        Assert.NotNull(message.HtmlBody);
        Assert.NotNull(message.TextBody);
    }

    [Fact]
    public async Task Readers_whose_addresses_differ_only_in_symbols_or_accents_each_get_their_own_outbox_file()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        string[] readers = ["a+b@example.com", "a_b@example.com", "a=b@example.com", "ö@example.com", "ü@example.com", "a%2bb@example.com"];
        Ws.WriteSubscribers(readers.Select(r => (r, (string?)null)).ToArray());

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("6 sent", result.Output);
        var files = Ws.OutboxFiles(1);
        Assert.Equal(readers.Order(StringComparer.Ordinal), files.Select(f => MimeMessage.Load(f).To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        // Still readable: the address is in the name, only what a file system may mangle is escaped.
        Assert.Contains(files, f => Path.GetFileName(f) == "ö@example.com.eml");
        Assert.Contains(files, f => Path.GetFileName(f) == "a%2Bb@example.com.eml");
    }
}
