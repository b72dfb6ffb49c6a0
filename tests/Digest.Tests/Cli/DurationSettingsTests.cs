using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>
/// A duration that binds (it is a valid TimeSpan) can still be absurd: 99,999 days of retry delay passed
/// start-up and crashed every run. Each duration setting has a range, checked at start-up.
/// </summary>
public sealed class DurationSettingsTests : WorkspaceTest
{
    private const string Absurd = "99999.00:00:00";

    [Theory]
    [InlineData("Digest:Delivery:RetryDelay", "00:05:00", "")]
    [InlineData("Digest:Delivery:StopTimeout", "01:00:00", "")]
    [InlineData("Digest:Delivery:RelayRetryAfter", "1.00:00:00", "")]
    [InlineData("Digest:Delivery:LeaseDuration", "01:00:00", "")]
    [InlineData("Digest:Delivery:JoinInterval", "01:00:00", "")]
    [InlineData("Digest:Health:HeartbeatInterval", "01:00:00", "")]
    [InlineData("Digest:Schedule:CheckinInterval", "00:10:00", "")]
    [InlineData("Digest:Smtp:Timeout", "00:10:00", "Digest:Smtp:Host=127.0.0.1;Digest:Smtp:Security=None")]
    [InlineData("Digest:Relays:0:Timeout", "00:10:00", "Digest:Relays:0:Host=127.0.0.1;Digest:Relays:0:Security=None")]
    [InlineData("Digest:Bounces:Imap:Timeout", "00:10:00", "Digest:Bounces:Imap:Host=127.0.0.1;Digest:Bounces:Imap:Security=None;Digest:Bounces:Imap:Username=b")]
    [InlineData("Digest:Bounces:Imap:PollInterval", "1.00:00:00", "Digest:Bounces:Imap:Host=127.0.0.1;Digest:Bounces:Imap:Security=None;Digest:Bounces:Imap:Username=b")]
    public async Task A_duration_setting_beyond_its_range_fails_start_up_naming_the_key_the_value_and_the_limit(string key, string max, string context)
    {
        foreach (var pair in context.Split(';', StringSplitOptions.RemoveEmptyEntries))
            Ws.Settings[pair.Split('=')[0]] = pair.Split('=')[1];
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Ws.Settings[key] = Absurd;

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{key} must be at most {max}, was {Absurd}.", result.Error);
    }

    [Fact]
    public async Task A_join_interval_under_a_second_fails_start_up_naming_the_key_and_the_value()
    {
        Ws.Settings["Digest:Delivery:JoinInterval"] = "00:00:00.200";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Digest:Delivery:JoinInterval must be at least 00:00:01, was 00:00:00.2000000.", result.Error);
    }
}
