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
        Assert.Equal(["ada_at_example.com.eml", "alan_at_example.com.eml", "grace_at_example.com.eml"], files.Select(Path.GetFileName));
        var message = MimeMessage.Load(files[0]);
        Assert.Equal("ada@example.com", message.To.Mailboxes.Single().Address);
        Assert.NotNull(message.HtmlBody);
        Assert.NotNull(message.TextBody);
    }
}
