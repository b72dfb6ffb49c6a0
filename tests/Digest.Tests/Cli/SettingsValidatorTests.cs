using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Digest.Tests.Cli;

/// <summary>
/// Each options class has a validator of its own, registered by its area; the container Digest's commands build
/// refuses a bad setting with a message naming the full key and the bad value. Rows for the rules no other test
/// covers.
/// </summary>
public sealed class SettingsValidatorTests : IDisposable
{
    private readonly TestWorkspace _ws = new();

    [Theory]
    [InlineData("Digest:Health:HeartbeatInterval=00:00:00", "Digest:Health:HeartbeatInterval must be at least 00:00:01, was 00:00:00.")]
    [InlineData("Digest:Ledger:KeepEditions=0", "Digest:Ledger:KeepEditions must be at least 1, was 0.")]
    [InlineData("Digest:Schedule:LocalTime=25:99", "Digest:Schedule:LocalTime must be a time of day such as 09:00, was \"25:99\".")]
    [InlineData("Digest:Schedule:CheckinInterval=00:00:00", "Digest:Schedule:CheckinInterval must be at least 00:00:01, was 00:00:00.")]
    [InlineData("Digest:Sender:ReplyTo=not-an-address", "Digest:Sender:ReplyTo is not a valid email address, was \"not-an-address\".")]
    [InlineData("Digest:Unsubscribe:Mailto=nobody", "Digest:Unsubscribe:Mailto is not a valid email address, was \"nobody\".")]
    [InlineData("Digest:Smtp:Host=127.0.0.1;Digest:Smtp:Port=0", "Digest:Smtp:Port must be between 1 and 65535, was 0.")]
    [InlineData("Digest:Relays:0:Host=127.0.0.1;Digest:Relays:0:Connections=0", "Digest:Relays:0:Connections must be between 1 and 64, was 0.")]
    [InlineData("Digest:Delivery:Retries=11", "Digest:Delivery:Retries must be between 0 and 10, was 11.")]
    [InlineData("Digest:Delivery:LeaseDuration=00:00:01", "Digest:Delivery:LeaseDuration must be at least 00:00:05, was 00:00:01.")]
    [InlineData("Digest:Http:Urls=ftp://127.0.0.1", "Digest:Http:Urls must be absolute http(s) URLs separated by ';', was \"ftp://127.0.0.1\".")]
    [InlineData("Digest:Bounces:SoftBounceLimit=0", "Digest:Bounces:SoftBounceLimit must be between 1 and 100, was 0.")]
    [InlineData("Digest:Bounces:Imap:Host=127.0.0.1", "Digest:Bounces:Imap:Username must be set when Digest:Bounces:Imap:Host is.")]
    [InlineData("Digest:Relays:0:Name=backup", "Digest:Relays:0:Host must be set.")]
    [InlineData("Digest:Relays:0:Host=127.0.0.1;Digest:Relays:1:Host=127.0.0.2", "Digest:Relays: the name \"primary\" is used twice; give each relay its own Name.")]
    [InlineData("Digest:ListId= ", "Digest:ListId must be set.")]
    public void A_bad_setting_is_refused_at_start_up_naming_the_key_and_the_value(string settings, string message)
    {
        foreach (var pair in settings.Split(';'))
            _ws.Settings[pair.Split('=')[0]] = pair.Split('=', 2)[1];
        using var services = _ws.Services();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DigestOptions>>().Value);

        Assert.Contains(message, refused.Failures);
    }

    [Fact]
    public void Each_options_class_has_its_own_validator_in_the_container()
    {
        using var services = _ws.Services();

        Assert.NotNull(services.GetService<IValidateOptions<StoreOptions>>());
        Assert.NotNull(services.GetService<IValidateOptions<ScheduleOptions>>());
        Assert.NotNull(services.GetService<IValidateOptions<SmtpOptions>>());
        Assert.NotNull(services.GetService<IValidateOptions<DeliveryOptions>>());
        Assert.NotNull(services.GetService<IValidateOptions<HttpOptions>>());
        Assert.NotNull(services.GetService<IValidateOptions<BouncesOptions>>());
        // On its own, a validator names keys under the section it is given.
        var relay = services.GetRequiredService<IValidateOptions<SmtpOptions>>().Validate("Digest:Relays:2", new SmtpOptions { Host = "127.0.0.1", Port = 70000 });
        Assert.Contains("Digest:Relays:2:Port must be between 1 and 65535, was 70000.", relay.Failures!);
    }

    public void Dispose() => _ws.Dispose();
}
