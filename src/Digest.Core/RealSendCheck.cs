using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>
/// What must be real before a command sends to a relay off this machine. Checked by the commands that send
/// (`send-now`, `run`), not by every command: an admin must still be able to run `status` or `unsubscribe`
/// on a half-configured install.
/// </summary>
public static class RealSendCheck
{
    /// <summary>
    /// Mail to a relay off this machine reaches real readers: the sample's example addresses would give them
    /// unsubscribe links that go nowhere (Gmail and Yahoo require a working one-click link) and a sender
    /// domain nobody owns. Loopback relays and the outbox keep the samples, so the quick start just works.
    /// </summary>
    public static void Run(DigestOptions o)
    {
        var errors = new List<string>();
        var relay = o.Relays.Select((r, i) => (r.Host, Key: $"Digest:Relays:{i}:Host")).Prepend((o.Smtp.Host, Key: "Digest:Smtp:Host"))
            .FirstOrDefault(r => !string.IsNullOrWhiteSpace(r.Host) && !DigestOptionsValidator.IsLoopback(r.Host!));
        if (relay.Host is null) return;
        var because = $"before mail goes to {relay.Key} \"{relay.Host}\" (not a loopback relay)";
        if (Uri.TryCreate(o.Unsubscribe.BaseUrl, UriKind.Absolute, out var unsubscribe))
        {
            if (unsubscribe.Scheme != "https")
                errors.Add($"Digest:Unsubscribe:BaseUrl must be an https:// address your readers can reach {because}, was \"{o.Unsubscribe.BaseUrl}\".");
            else if (IsExampleDomain(unsubscribe.Host))
                errors.Add($"Digest:Unsubscribe:BaseUrl still points at the example domain; set it to your public unsubscribe address {because}, was \"{o.Unsubscribe.BaseUrl}\".");
        }
        if (IsExampleDomain(o.Sender.Address[(o.Sender.Address.LastIndexOf('@') + 1)..]))
            errors.Add($"Digest:Sender:Address still uses the example domain; set it to an address of your own domain {because}, was \"{o.Sender.Address}\".");
        if (errors.Count > 0) throw new OptionsValidationException(DigestOptions.Section, typeof(DigestOptions), errors);
    }

    /// <summary>The names RFC 2606 and RFC 6761 reserve for examples and tests: nobody's mail or web server.</summary>
    public static bool IsExampleDomain(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        string[] reserved = ["example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"];
        return reserved.Any(r => name == r || name.EndsWith("." + r, StringComparison.Ordinal));
    }
}
