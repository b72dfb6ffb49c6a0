using System.Text.RegularExpressions;
using Digest.Tests.Support;

namespace Digest.Tests.Cli;

public sealed class StartupTests : WorkspaceTest
{
    [Fact]
    public async Task A_broken_template_stops_start_up_with_file_line_and_column()
    {
        var file = Path.Combine(Ws.TemplatesPath, "partials", "comparison.html.liquid");
        var lines = File.ReadAllLines(file).ToList();
        lines.Insert(2, "{% if comparison.title %}never closed");
        File.WriteAllLines(file, lines);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches($"{System.Text.RegularExpressions.Regex.Escape(file)}:\\d+:\\d+: ", result.Error);
    }

    [Fact]
    public async Task A_missing_partial_stops_start_up_naming_the_template()
    {
        File.Delete(Path.Combine(Ws.TemplatesPath, "partials", "comparison.txt.liquid"));

        var result = await Ws.RunAsync("preview");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("digest.txt.liquid: failed to render", result.Error);
    }

    [Theory]
    [InlineData("Digest:Edition:MaxComparisons", "0", "Digest:Edition:MaxComparisons must be between 1 and 50, was 0.")]
    [InlineData("Digest:Delivery:GiveUpAfter", "00:00:10", "Digest:Delivery:GiveUpAfter must be between 00:01:00 and 30.00:00:00, was 00:00:10.")]
    [InlineData("Digest:Schedule:Cron", "every monday", "Digest:Schedule:Cron is not a valid Quartz cron expression")]
    [InlineData("Digest:Schedule:TimeZone", "Mars/Olympus", "Digest:Schedule:TimeZone is not a known IANA time zone, was \"Mars/Olympus\".")]
    [InlineData("Digest:Sender:Address", "nobody", "Digest:Sender:Address is not a valid email address, was \"nobody\".")]
    [InlineData("Digest:Smtp:Port", "abc", "Digest:Smtp:Port")]
    [InlineData("Digest:Archive:BaseUrl", "archive", "Digest:Archive:BaseUrl must be an absolute http(s) URL, was \"archive\".")]
    [InlineData("Digest:Unsubscribe:Key", "c2hvcnQ=", "Digest:Unsubscribe:Key is 5 bytes; it must be at least 32")]
    [InlineData("Digest:Ledger:KeepEditions", "2", "Digest:Ledger:KeepEditions must be at least Digest:Bounces:SoftBounceLimit (3), was 2.")]
    [InlineData("Digest:Edition:MaxAge", "-1.00:00:00", "Digest:Edition:MaxAge must be a positive duration such as 30.00:00:00, or unset, was -1.00:00:00.")]
    public async Task A_bad_config_value_fails_start_up_naming_the_key(string key, string value, string message)
    {
        Ws.Settings[key] = value;

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task Plain_smtp_to_a_remote_server_is_refused()
    {
        Ws.Settings["Digest:Smtp:Host"] = "mail.example.com";
        Ws.Settings["Digest:Smtp:Security"] = "None";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Smtp:Security is None but Digest:Smtp:Host \"mail.example.com\" is not a loopback address", result.Error);
    }

    [Fact]
    public async Task An_unknown_setting_stops_start_up_naming_it_and_the_closest_known_key_and_nothing_is_sent()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Ws.Settings["Digest:Smtp:Hots"] = "127.0.0.1";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Smtp:Hots is not a Digest setting (set in the settings); did you mean Digest:Smtp:Host?", result.Error);
        Assert.Empty(Ws.OutboxFiles(1));
        Assert.DoesNotContain("#1", (await RunWithoutTheTypo("status")).Output);
    }

    [Fact]
    public async Task An_unknown_setting_in_the_config_file_names_the_file_and_keeps_the_list_index()
    {
        var config = Ws.WriteFile("digest.json", """
            { "Digest": { "Edition": { "MaxComparison": 3 }, "Relays": [ { "Name": "a", "Host": "127.0.0.1", "Prot": 2525 } ] } }
            """);

        var result = await Ws.RunAsync("status", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Digest:Edition:MaxComparison is not a Digest setting (set in {config}); did you mean Digest:Edition:MaxComparisons?", result.Error);
        Assert.Contains($"Digest:Relays:0:Prot is not a Digest setting (set in {config}); did you mean Digest:Relays:0:Port?", result.Error);
    }

    [Fact]
    public async Task An_unknown_setting_from_the_environment_names_the_variable()
    {
        Ws.Settings["Digest:Smtp:Hots"] = "127.0.0.1";
        using var child = ChildWorker.Start(Ws, "send-now");

        Assert.Equal(2, await child.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Digest:Smtp:Hots is not a Digest setting (set by the environment variable Digest__Smtp__Hots); did you mean Digest:Smtp:Host?", child.Output);
    }

    [Fact]
    public async Task Every_command_first_logs_the_config_file_the_store_and_the_transport_and_status_lists_them()
    {
        var config = Ws.WriteFile("digest.json", """{ "Digest": { "ListName": "Weekly AI Tool Verdicts" } }""");
        var store = Ws.Settings["Digest:Store:Path"];

        using var child = ChildWorker.Start(Ws, "suppressions", "--config", config);
        using var health = ChildWorker.Start(Ws, "health", "--config", config);
        Assert.True(await child.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, child.Output);
        Assert.Equal(1, await health.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var status = await Ws.RunAsync("status", "--config", config);

        // A log line: stderr for commands, so what they print on stdout stays parseable.
        Assert.Contains($"info: Digest.Worker[1002] Using config {config}, store {store}, transport outbox {Ws.OutboxPath}", child.Output);
        Assert.Contains($"info: Digest.Worker[1002] Using config {config}, store {store}, transport outbox {Ws.OutboxPath}", health.Output);
        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions", "--config", config)).Output.Trim());
        Assert.Contains($"Config: {config}", status.Output);
        Assert.Contains($"Store: {store}", status.Output);
        // Where the key lives, never the key.
        Assert.Contains("Unsubscribe key: Digest:Unsubscribe:Key", status.Output);
        Assert.Contains($"Delivery: outbox {Ws.OutboxPath}", status.Output);
    }

    [Fact]
    public async Task A_malformed_config_file_is_reported_with_its_line()
    {
        var config = Ws.WriteFile("digest.json", "{\n  \"Digest\": {\n    \"ListId\": \n}");

        var result = await Ws.RunAsync("status", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(config, result.Error);
        Assert.Contains("Line 4", result.Error);
    }

    private Task<CliResult> RunWithoutTheTypo(params string[] args)
    {
        Ws.Settings.Remove("Digest:Smtp:Hots");
        return Ws.RunAsync(args);
    }

    [Fact]
    public async Task A_damaged_store_is_refused_and_left_as_it_was()
    {
        var store = Ws.Settings["Digest:Store:Path"]!;
        Directory.CreateDirectory(Path.GetDirectoryName(store)!);
        var junk = Enumerable.Range(0, 20000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(store, junk);

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"The store {store} cannot be opened", result.Error);
        Assert.Equal(junk, File.ReadAllBytes(store));
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_exits_2_naming_it_without_a_stack_trace()
    {
        var missing = Path.Combine(Ws.Root, "missing.json");

        var result = await Ws.RunAsync("status", "--config", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Configuration file not found: {missing}", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("sned-now")]
    [InlineData("send-now", "--dryrun")]
    public async Task An_unknown_verb_or_option_exits_2_naming_it(params string[] args)
    {
        var result = await Ws.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{args[^1]}'", result.Error);
    }

    [Fact]
    public async Task A_five_field_unix_cron_is_read_with_a_seconds_field_and_the_conversion_is_logged()
    {
        Ws.Settings["Digest:Schedule:Cron"] = "0 9 * * MON";

        // A real process: the log goes to its console.
        using var status = ChildWorker.Start(Ws, "status");

        Assert.True(await status.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, status.Output);
        Assert.Contains("Digest:Schedule:Cron \"0 9 * * MON\" has 5 fields (Unix cron); read as the Quartz cron \"0 0 9 ? * MON\"", status.Output);
        Assert.Matches(@"Next scheduled run: \d{4}-\d\d-\d\d 09:00 UTC \(0 0 9 \? \* MON", status.Output);
    }

    [Fact]
    public async Task The_worker_runs_with_the_small_gen0_budget_and_without_the_tiered_PGO_its_runtime_settings_ask_for()
    {
        // The budget the GC would pick by itself follows the processor's cache: 128 MB on a machine with 300 MB of L3.
        // Tiered PGO is the runtime's default: a worker that ignored its settings would run with it.
        Ws.Settings["Logging:LogLevel:Default"] = "Debug";

        using var status = ChildWorker.Start(Ws, "status");

        Assert.True(await status.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, status.Output);
        Assert.True(Regex.IsMatch(status.Output, @"Runtime \.NET [0-9.]+: workstation GC, gen0 budget at most 16 MB, conserving memory \(7\), tiered PGO off"), status.Output);
    }

    [Fact]
    public async Task An_admin_with_a_long_list_turns_tiered_PGO_back_on_from_the_environment_and_the_worker_says_so()
    {
        Ws.Settings["Logging:LogLevel:Default"] = "Debug";
        Ws.Settings["DOTNET_TieredPGO"] = "1";

        using var status = ChildWorker.Start(Ws, "status");

        Assert.True(await status.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, status.Output);
        Assert.Contains("), tiered PGO on", status.Output);
    }

    [Fact]
    public async Task A_five_field_cron_with_unix_day_numbers_names_the_same_days()
    {
        Ws.Settings["Digest:Schedule:Cron"] = "30 7 * * 1-5";

        var result = await Ws.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(0 30 7 ? * MON-FRI, UTC)", result.Output);
    }
}
