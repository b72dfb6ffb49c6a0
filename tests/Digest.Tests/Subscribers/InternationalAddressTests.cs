using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>Internationalized addresses (RFC 6530): a domain in punycode or in Unicode is one and the same mailbox.</summary>
public sealed class InternationalAddressTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task A_reader_whose_domain_is_written_in_punycode_is_accepted_and_mailed_at_that_domain()
    {
        Ws.WriteSubscribers(("plain@xn--bcher-kva.de", "Plain"), ("ada@example.com", "Ada"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2 sent", result.Output);
        Assert.Single(Sink.To("plain@xn--bcher-kva.de"));
    }

    [Fact]
    public async Task A_reader_with_a_unicode_domain_is_mailed_at_its_punycode_form_when_the_server_has_no_smtputf8()
    {
        Ws.WriteSubscribers(("plain@bücher.de", "Plain"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Sink.To("plain@xn--bcher-kva.de"));
    }

    [Fact]
    public async Task The_same_mailbox_written_in_punycode_and_in_unicode_is_a_duplicate()
    {
        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "plain@bücher.de" },
                { "email": "plain@xn--bcher-kva.de" }
            ] }
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.True(result.Error.Contains($"{Ws.SubscribersPath}:3: subscribers[1].email: \"plain@xn--bcher-kva.de\" is a duplicate of subscribers[0]"), result.ToString());
        Assert.Empty(Sink.Messages);
    }

    [Fact]
    public async Task Punycode_in_capitals_is_the_same_mailbox_too()
    {
        Ws.WriteSubscribersJson("""
            { "subscribers": [
                { "email": "plain@bücher.de" },
                { "email": "PLAIN@XN--BCHER-KVA.DE" }
            ] }
            """);

        var result = await Ws.RunAsync("send-now");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("\"PLAIN@XN--BCHER-KVA.DE\" is a duplicate of subscribers[0]", result.Error);
    }

    [Fact]
    public async Task Unsubscribing_the_punycode_spelling_suppresses_the_reader_listed_in_unicode()
    {
        Ws.WriteSubscribers(("plain@bücher.de", "Plain"), ("ada@example.com", "Ada"));

        Assert.Equal(0, (await Ws.RunAsync("unsubscribe", "plain@xn--bcher-kva.de")).ExitCode);
        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 skipped", result.Output);
        Assert.Empty(Sink.To("plain@xn--bcher-kva.de"));
    }

    [Fact]
    public async Task A_non_ascii_local_part_is_accepted_and_goes_to_the_server_as_utf8_with_the_domain_in_punycode()
    {
        // MailKit 4.18 writes RCPT TO:<ü@xn--bcher-kva.de> in UTF-8 even to a server without SMTPUTF8 (as this
        // sink is); only a relay that announces SMTPUTF8 (RFC 6531) can be expected to deliver it.
        Ws.WriteSubscribers(("ü@bücher.de", "U"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Sink.To("ü@xn--bcher-kva.de"));
    }
}
