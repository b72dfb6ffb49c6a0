using System.Net;
using System.Text.RegularExpressions;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// Unsubscribe links mailed by one process must work in every later one: the key that signs them, where it
/// comes from, and the settings that must be real before mail goes to a relay off this machine.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed partial class UnsubscribeKeyTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private string KeyFile => Path.Combine(Ws.Root, "data", "digest.key");

    [Fact]
    public async Task Without_a_configured_key_a_link_mailed_by_one_process_unsubscribes_in_a_later_worker()
    {
        Ws.Settings["Digest:Unsubscribe:Key"] = null;
        RunningWorker.Configure(Ws);

        // send-now in a child process of its own, the worker in this one: two processes, one store.
        using (var sender = ChildWorker.Start(Ws, "send-now"))
        {
            Assert.True(await sender.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, sender.Output);
            Assert.Contains($"made a new unsubscribe key in {KeyFile}", sender.Output);
            Assert.DoesNotContain(File.ReadAllText(KeyFile).Trim(), sender.Output);
        }
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await worker.Http.PostAsync(LinkIn("grace@example.com"), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Contains("grace@example.com,Unsubscribed", (await Ws.RunAsync("suppressions")).Output);
        Assert.Contains($"Unsubscribe key: {KeyFile}", (await Ws.RunAsync("status")).Output);
    }

    [Fact]
    public async Task The_key_made_beside_the_store_is_32_random_bytes_readable_by_its_owner_only()
    {
        Ws.Settings["Digest:Unsubscribe:Key"] = null;

        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);

        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(KeyFile).Trim()).Length);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task A_damaged_key_file_beside_the_store_stops_start_up_naming_it_and_is_left_as_it_was()
    {
        Ws.Settings["Digest:Unsubscribe:Key"] = null;
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "c2hvcnQ=\n");

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"The unsubscribe key file {KeyFile} (kept beside the store; restore it from a backup", result.Error);
        Assert.Contains("is 5 bytes; it must be at least 32", result.Error);
        Assert.Equal("c2hvcnQ=\n", File.ReadAllText(KeyFile));
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task Two_processes_starting_at_once_on_a_new_store_agree_on_one_key()
    {
        Ws.Settings["Digest:Unsubscribe:Key"] = null;

        // Both render Grace's mail, so both need the key at about the same moment; a reader's token is the same
        // for the same key, so equal links mean one key.
        using var first = ChildWorker.Start(Ws, "preview", "--subscriber", "grace@example.com", "--eml");
        using var second = ChildWorker.Start(Ws, "preview", "--subscriber", "grace@example.com", "--eml");
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, first.Output);
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, second.Output);

        var links = new[] { first.Output, second.Output }.Select(o => HttpLink().Match(o).Groups[1].Value).ToList();
        Assert.NotEqual("", links[0]);
        Assert.Equal(links[0], links[1]);
        Assert.Equal(["digest.key"], Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "digest.key*").Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_configured_key_wins_and_no_key_file_is_made()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);

        Assert.False(File.Exists(KeyFile));
    }

    [Theory]
    [InlineData("https://weekly-verdicts.example.com/unsubscribe", "news@verdicts.io",
        "Digest:Unsubscribe:BaseUrl still points at the example domain; set it to your public unsubscribe address before mail goes to Digest:Smtp:Host \"relay.invalid\"")]
    [InlineData("http://verdicts.io/unsubscribe", "news@verdicts.io",
        "Digest:Unsubscribe:BaseUrl must be an https:// address your readers can reach before mail goes to Digest:Smtp:Host \"relay.invalid\" (not a loopback relay), was \"http://verdicts.io/unsubscribe\".")]
    [InlineData("https://verdicts.io/unsubscribe", "digest@weekly-verdicts.example.com",
        "Digest:Sender:Address still uses the example domain; set it to an address of your own domain before mail goes to Digest:Smtp:Host \"relay.invalid\"")]
    public async Task Mail_to_a_relay_off_this_machine_is_refused_while_a_sample_address_is_set(string baseUrl, string sender, string message)
    {
        Ws.Settings["Digest:Smtp:Host"] = "relay.invalid";
        Ws.Settings["Digest:Smtp:Security"] = "StartTls";
        Ws.Settings["Digest:Unsubscribe:BaseUrl"] = baseUrl;
        Ws.Settings["Digest:Sender:Address"] = sender;

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task Admin_commands_still_work_on_an_install_whose_real_send_settings_are_not_set_yet()
    {
        Ws.Settings["Digest:Smtp:Host"] = "relay.invalid";
        Ws.Settings["Digest:Smtp:Security"] = "StartTls";

        var status = await Ws.RunAsync("status");
        var suppressions = await Ws.RunAsync("unsubscribe", "ada@example.com");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(suppressions.ExitCode == 0, suppressions.ToString());
    }

    private string LinkIn(string email)
    {
        var message = Assert.Single(Sink.To(email)).Parse();
        return HttpLink().Match(message.Headers["List-Unsubscribe"] ?? "").Groups[1].Value;
    }

    [GeneratedRegex("<(http[^>]+)>")]
    private static partial Regex HttpLink();
}
