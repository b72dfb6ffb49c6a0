using Digest.Tests.Support;
using MimeKit;

namespace Digest.Tests.Input;

/// <summary>Bytes a terminal or a mail client would act on (NUL, ESC, BEL) never travel from an input file into a message.</summary>
public sealed class ControlCharacterTests : WorkspaceTest
{
    private static bool IsStrayControl(byte b) => b is < 0x20 and not ((byte)'\t' or (byte)'\n' or (byte)'\r') || b == 0x7F;

    [Fact]
    public async Task Nul_esc_and_other_control_characters_of_comparisons_and_names_are_stripped_and_tabs_and_newlines_kept()
    {
        var comparison = Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Alpha\u0000 vs \u001b[31mBeta\u001b[0m",
            quote: "Fast\u0007 and\tsteady.\r\nWould ship again\u0085.");
        ((Dictionary<string, object?>)((object[])comparison["tools"]!)[0])["summary"] = "First line\nsecond\u0008 line";
        Ws.WriteComparisons("c.json", comparison);
        Ws.WriteSubscribers(("ada@example.com", "Ada\u001b]0;pwned\u0007 Lovelace"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        var file = Assert.Single(Ws.OutboxFiles(1));
        var raw = await File.ReadAllBytesAsync(file);
        Assert.DoesNotContain(raw, IsStrayControl);
        var message = MimeMessage.Load(file);
        Assert.Contains("Alpha vs [31mBeta[0m", message.TextBody);
        // Stripped, the name still reads "Ada]0;pwned Lovelace": not clearly a first name, so no greeting by it.
        Assert.Equal("Ada]0;pwned Lovelace", message.To.Mailboxes.Single().Name);
        Assert.Contains("Hi there,", message.TextBody);
        Assert.Contains("Fast and\tsteady.", message.TextBody);
        Assert.Contains("Alpha vs [31mBeta[0m", message.Subject);
    }
}
