using Digest.Bounces;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Digest.Tests.Bounces;

/// <summary>The VERP return path on the SMTP wire, and the settings it needs.</summary>
public sealed class ReturnPathTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task With_a_bounce_address_each_message_has_a_signed_envelope_sender_naming_its_delivery_and_the_same_message_id()
    {
        Ws.Settings["Digest:Bounces:Address"] = "bounces@weekly-verdicts.example.com";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var services = Ws.Services();
        var returnPaths = services.GetRequiredService<ReturnPaths>();
        var ledger = services.GetRequiredService<Digest.Ledger.IDeliveryLedger>();
        foreach (var email in new[] { "ada@example.com", "grace@example.com", "alan@example.com" })
        {
            var received = Assert.Single(Sink.To(email));
            var delivery = ledger.Find(1, email)!;
            Assert.Matches("^bounces\\+1-[0-9]+-[0-9a-f]{20}@weekly-verdicts\\.example\\.com$", received.From);
            Assert.Equal(delivery.Id, returnPaths.DeliveryIdOf(received.From));
            // Relays may change the case of a local part; the token still verifies.
            Assert.Equal(delivery.Id, returnPaths.DeliveryIdOf(received.From.ToUpperInvariant()));
            var message = received.Parse();
            Assert.Equal(delivery.MessageId, message.MessageId);
            Assert.Equal("digest@weekly-verdicts.example.com", message.From.Mailboxes.Single().Address);
            // The receiving server writes Return-Path on delivery; the sender must not.
            Assert.Null(message.Headers[HeaderId.ReturnPath]);
        }
        Assert.Equal(3, Sink.Messages.Select(m => m.From).Distinct().Count());
    }

    [Fact]
    public async Task Without_a_bounce_address_the_envelope_sender_is_the_plain_sender()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);

        Assert.All(Sink.Messages, m => Assert.Equal("digest@weekly-verdicts.example.com", m.From));
    }

    [Fact]
    public void A_return_path_with_an_altered_token_or_another_delivery_number_is_not_recognised()
    {
        Ws.Settings["Digest:Bounces:Address"] = "bounces@weekly-verdicts.example.com";
        using var services = Ws.Services();
        var returnPaths = services.GetRequiredService<ReturnPaths>();
        var genuine = returnPaths.For(Digest.Ledger.DeliveryRecord.IdFor(4, 7))!.Address;
        var mac = genuine[(genuine.LastIndexOf('-', genuine.IndexOf('@')) + 1)..genuine.IndexOf('@')];

        Assert.Equal(Digest.Ledger.DeliveryRecord.IdFor(4, 7), returnPaths.DeliveryIdOf(genuine));
        Assert.Null(returnPaths.DeliveryIdOf(genuine.Replace("+4-7-", "+4-8-")));
        Assert.Null(returnPaths.DeliveryIdOf(genuine.Replace(mac, new string('0', mac.Length))));
        Assert.Null(returnPaths.DeliveryIdOf("bounces@weekly-verdicts.example.com"));
        Assert.Null(returnPaths.DeliveryIdOf("someone+news@example.com"));
    }

    [Fact]
    public async Task Without_a_configured_key_return_paths_are_signed_with_the_key_kept_beside_the_store()
    {
        Ws.Settings["Digest:Bounces:Address"] = "bounces@weekly-verdicts.example.com";
        Ws.Settings["Digest:Unsubscribe:Key"] = null;

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        // A bounce arrives days later, in another process: the return path must still verify there.
        using var services = Ws.Services();
        var delivery = services.GetRequiredService<Digest.Ledger.IDeliveryLedger>().Find(1, "ada@example.com")!;
        Assert.Equal(delivery.Id, services.GetRequiredService<ReturnPaths>().DeliveryIdOf(Assert.Single(Sink.To("ada@example.com")).From));
    }

    [Fact]
    public async Task A_clear_text_bounce_mailbox_off_this_machine_is_refused_and_the_bad_settings_are_named()
    {
        Ws.Settings["Digest:Bounces:Imap:Host"] = "imap.example.com";
        Ws.Settings["Digest:Bounces:Imap:Security"] = "None";
        Ws.Settings["Digest:Bounces:Imap:PollInterval"] = "00:00:01";

        var result = await Ws.RunAsync("bounces");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Bounces:Imap:Security is None but Digest:Bounces:Imap:Host \"imap.example.com\" is not a loopback address", result.Error);
        Assert.Contains("Digest:Bounces:Imap:Username must be set", result.Error);
        Assert.Contains("Digest:Bounces:Imap:PollInterval must be at least 00:00:10, was 00:00:01", result.Error);
    }

    [Fact]
    public async Task The_bounces_command_without_a_mailbox_says_which_setting_to_set()
    {
        var result = await Ws.RunAsync("bounces");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("set Digest:Bounces:Imap:Host", result.Error);
    }
}
