using System.Security.Cryptography;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Digest.Tests.Delivery;

/// <summary>DKIM signing, checked on the bytes that reached the SMTP sink with MimeKit's own verifier.</summary>
public sealed class DkimTests : SinkTest
{
    private readonly RSA _key = RSA.Create(2048);

    public DkimTests() : base(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
    {
        Ws.Settings["Digest:Dkim:Domain"] = "weekly-verdicts.example.com";
        Ws.Settings["Digest:Dkim:Selector"] = "digest2026";
        Ws.Settings["Digest:Dkim:KeyFile"] = Ws.WriteFile("dkim.pem", _key.ExportRSAPrivateKeyPem());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task Every_message_carries_a_DKIM_signature_that_verifies_against_the_published_key()
    {
        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, Sink.Messages.Count);
        var verifier = new DkimVerifier(new PublishedKey($"v=DKIM1; k=rsa; p={Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo())}"));
        foreach (var received in Sink.Messages)
        {
            var message = received.Parse();
            var signature = message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)];
            Assert.Contains("d=weekly-verdicts.example.com", signature.Value);
            Assert.Contains("s=digest2026", signature.Value);
            Assert.Contains("c=relaxed/relaxed", signature.Value);
            foreach (var header in new[] { "from", "subject", "date", "to", "message-id", "list-unsubscribe", "list-unsubscribe-post", "list-id" })
                Assert.Contains(header, signature.Value.ToLowerInvariant());
            Assert.True(await verifier.VerifyAsync(message, signature), $"the signature of the message to {received.Recipients[0]} does not verify");
        }
    }

    [Fact]
    public async Task A_message_altered_after_signing_fails_verification()
    {
        await Ws.RunAsync("send-now");
        var message = Sink.Messages[0].Parse();
        message.Headers.Replace(HeaderId.ListUnsubscribe, "<https://attacker.example/unsubscribe>");

        var verifier = new DkimVerifier(new PublishedKey($"v=DKIM1; k=rsa; p={Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo())}"));

        Assert.False(await verifier.VerifyAsync(message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]));
    }

    [Fact]
    public async Task A_key_file_that_is_not_a_key_stops_start_up_naming_the_setting_and_file()
    {
        var bad = Ws.WriteFile("not-a-key.pem", "hello");
        Ws.Settings["Digest:Dkim:KeyFile"] = bad;

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Digest:Dkim:KeyFile \"{bad}\" is not a usable PEM RSA private key", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task A_half_configured_DKIM_stops_start_up_naming_the_missing_setting()
    {
        Ws.Settings["Digest:Dkim:Selector"] = "";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Dkim:Selector must be set", result.Error);
    }

    /// <summary>Stands in for DNS: the TXT record an admin would publish at selector._domainkey.domain.</summary>
    private sealed class PublishedKey(string txtRecord) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            domain == "weekly-verdicts.example.com" && selector == "digest2026" ? GetPublicKey(txtRecord) : throw new InvalidOperationException($"no key at {selector}._domainkey.{domain}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }
}
