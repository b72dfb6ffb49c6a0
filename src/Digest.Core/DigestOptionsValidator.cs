using System.Net;
using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>
/// The rules between areas (each area's own rules are its options class's validator in <c>Validation/</c>), and the
/// top-level settings. Each message names the configuration keys and the bad value.
/// </summary>
public sealed class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
    public ValidateOptionsResult Validate(string? name, DigestOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ListId)) errors.Add("Digest:ListId must be set.");
        if (string.IsNullOrWhiteSpace(o.ListName)) errors.Add("Digest:ListName must be set.");

        // Workers sharing a PostgreSQL store may run on several machines: a key made in a local file beside
        // Digest:Store:Path would differ on each, and one machine's unsubscribe links would fail on another's listener.
        if (o.Store.Provider == StoreProvider.PostgreSql && string.IsNullOrWhiteSpace(o.Unsubscribe.Key) && string.IsNullOrWhiteSpace(o.Unsubscribe.KeyFile))
            errors.Add("Digest:Unsubscribe:Key or Digest:Unsubscribe:KeyFile must be set when Digest:Store:Provider is PostgreSql: every worker sharing the database must sign links with the same key.");

        for (var i = 0; i < o.Relays.Count; i++)
            if (string.IsNullOrWhiteSpace(o.Relays[i].Host)) errors.Add($"Digest:Relays:{i}:Host must be set.");
        foreach (var twice in o.Relays.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
            errors.Add($"Digest:Relays: the name \"{twice}\" is used twice; give each relay its own Name.");

        var (mailgun, sendGrid, postmark) = (o.Bounces.Webhooks.Mailgun, o.Bounces.Webhooks.SendGrid, o.Bounces.Webhooks.Postmark);
        if (mailgun.Enabled && !o.Http.Enabled)
            errors.Add("Digest:Bounces:Webhooks:Mailgun:SigningKey is set but Digest:Http:Urls is not: nothing would receive Mailgun's webhooks.");
        if (sendGrid.Enabled && !o.Http.Enabled)
            errors.Add("Digest:Bounces:Webhooks:SendGrid:VerificationKey is set but Digest:Http:Urls is not: nothing would receive SendGrid's webhooks.");
        if (postmark.Enabled && !o.Http.Enabled)
            errors.Add("Digest:Bounces:Webhooks:Postmark is set but Digest:Http:Urls is not: nothing would receive Postmark's webhooks.");

        // A soft-bounce streak is counted over the kept records: it cannot be longer than they reach back.
        if (o.Ledger.KeepEditions >= 1 && o.Ledger.KeepEditions < o.Bounces.SoftBounceLimit)
            errors.Add($"Digest:Ledger:KeepEditions must be at least Digest:Bounces:SoftBounceLimit ({o.Bounces.SoftBounceLimit}), was {o.Ledger.KeepEditions}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}
