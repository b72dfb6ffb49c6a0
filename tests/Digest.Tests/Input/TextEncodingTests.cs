using System.Text;
using System.Text.Json;
using Digest.Tests.Support;

namespace Digest.Tests.Input;

/// <summary>What editors really save: a UTF-8 byte order mark (Windows Notepad, Excel's "CSV UTF-8"), or another encoding.</summary>
public sealed class TextEncodingTests : WorkspaceTest
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private string WriteBytes(string name, byte[] bytes)
    {
        var file = Path.Combine(Ws.Root, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    [Fact]
    public async Task A_comparison_file_that_starts_with_a_utf8_byte_order_mark_is_imported()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        var file = WriteBytes("bom.json", [.. Bom, .. json]);

        var result = await Ws.RunAsync("import", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("imported 1 comparisons (alpha-vs-beta)", result.Output);
    }

    [Fact]
    public async Task A_subscriber_file_that_starts_with_a_utf8_byte_order_mark_is_read()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        File.WriteAllBytes(Ws.SubscribersPath, [.. Bom, .. Encoding.UTF8.GetBytes("""{ "subscribers": [ { "email": "ada@example.com" } ] }""")]);

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 sent", result.Output);
    }

    [Fact]
    public async Task A_comparison_file_in_latin1_is_refused_as_not_utf8_naming_the_line()
    {
        var json = JsonSerializer.Serialize(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Caf\u00e9 tools"), new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var line = json.Split('\n').Select((text, i) => (text, i)).First(x => x.text.Contains("\"title\"")).i + 1;
        var file = WriteBytes("latin1.json", Encoding.Latin1.GetBytes(json));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:{line}: not valid UTF-8 (byte 0xE9", result.Error);
    }

    [Fact]
    public async Task A_subscriber_csv_in_latin1_is_refused_as_not_utf8_naming_the_line()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        var csv = WriteBytes("subscribers.csv", Encoding.Latin1.GetBytes("email,name\nada@example.com,Ada\nrene@example.com,Ren\u00e9\n"));
        Ws.Settings["Digest:Subscribers:Path"] = csv;

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{csv}:3: not valid UTF-8 (byte 0xE9", result.Error);
        Assert.Empty(Ws.OutboxFiles(1));
    }
}
