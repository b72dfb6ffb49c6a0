using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Delivery;

/// <summary>A local relay that offers STARTTLS with a self-signed certificate, as Debian's Postfix does out of the box.</summary>
public sealed class SmtpTlsTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _snakeoil = TestCertificates.SelfSigned();

    public override Task InitializeAsync()
    {
        Sink.StartTlsCertificate = _snakeoil;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Auto_to_a_loopback_relay_with_a_self_signed_certificate_delivers_over_tls()
    {
        Ws.Settings["Digest:Smtp:Security"] = "Auto";

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, Sink.Messages.Count);
        Assert.True(Sink.TlsSessions > 0, "the messages went in clear text although the relay offered STARTTLS");
    }

    [Fact]
    public async Task StartTls_refuses_a_self_signed_certificate_and_the_error_names_the_setting_that_trusts_it()
    {
        Ws.Settings["Digest:Smtp:Security"] = "StartTls";

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("TLS with 127.0.0.1:", result.Error);
        Assert.Contains("Digest:Smtp:TrustedCertificateFile", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task StartTls_with_the_relays_own_certificate_pinned_delivers()
    {
        Ws.Settings["Digest:Smtp:Security"] = "StartTls";
        Ws.Settings["Digest:Smtp:TrustedCertificateFile"] = Ws.WriteFile("snakeoil.pem", _snakeoil.ExportCertificatePem());

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, Sink.Messages.Count);
        Assert.True(Sink.TlsSessions > 0);
    }

    [Fact]
    public async Task A_pinned_certificate_trusts_that_certificate_only()
    {
        Ws.Settings["Digest:Smtp:Security"] = "Auto";
        Ws.Settings["Digest:Smtp:TrustedCertificateFile"] = Ws.WriteFile("other.pem", TestCertificates.SelfSigned("other.localdomain").ExportCertificatePem());

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Digest:Smtp:TrustedCertificateFile", result.Error);
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task A_trusted_certificate_file_that_is_not_a_certificate_stops_start_up_naming_the_key()
    {
        Ws.Settings["Digest:Smtp:TrustedCertificateFile"] = Ws.WriteFile("junk.pem", "not a certificate");

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Smtp:TrustedCertificateFile", result.Error);
        Assert.Empty(Sink.Messages);
    }
}
