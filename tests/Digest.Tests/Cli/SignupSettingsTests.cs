using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>Digest:Signup is checked at start-up by its own validator; each message names the key and the bad value.</summary>
public sealed class SignupSettingsTests : WorkspaceTest
{
    [Theory]
    [InlineData("Digest:Signup:ConfirmWithin", "99999.00:00:00", "Digest:Signup:ConfirmWithin must be between 00:10:00 and 30.00:00:00, was 99999.00:00:00.")]
    [InlineData("Digest:Signup:RequestsPerClient", "0", "Digest:Signup:RequestsPerClient must be between 1 and 10000, was 0.")]
    [InlineData("Digest:Signup:MailsPerAddress", "0", "Digest:Signup:MailsPerAddress must be between 1 and 100, was 0.")]
    [InlineData("Digest:Signup:BaseUrl", "subscribe", "Digest:Signup:BaseUrl must be an absolute http(s) URL, was \"subscribe\".")]
    [InlineData("Digest:Signup:AllowedOrigins:0", "https://example.org/page", "Digest:Signup:AllowedOrigins:0 must be an origin such as https://www.example.com (scheme and host, no path), was \"https://example.org/page\".")]
    public async Task A_bad_signup_setting_stops_start_up_naming_the_key_and_the_value(string key, string value, string message)
    {
        Ws.Settings["Digest:Http:Urls"] = "http://127.0.0.1:0";
        Ws.Settings["Digest:Signup:Enabled"] = "true";
        Ws.Settings[key] = value;

        var result = await Ws.RunAsync("status");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task Signup_enabled_without_a_listener_stops_start_up()
    {
        Ws.Settings["Digest:Signup:Enabled"] = "true";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Signup:Enabled is true but Digest:Http:Urls is not set", result.Error);
    }

    [Fact]
    public async Task A_mistyped_signup_key_is_named_with_the_one_meant()
    {
        Ws.Settings["Digest:Signup:MailsPerAdress"] = "2";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Signup:MailsPerAdress is not a Digest setting (set in the settings); did you mean Digest:Signup:MailsPerAddress?", result.Error);
    }
}
