using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Digest.Editions;
using Digest.Ledger;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace Digest.Bounces;

/// <summary>One bounce or complaint a relay reported by webhook, after its signature was checked.</summary>
/// <param name="EventId">The relay's own id of the event: a retried or replayed event is recorded once.</param>
/// <param name="MessageId">Our Message-ID as the relay quotes it, when it does (Mailgun does, Postmark does not).</param>
public sealed record RelayEvent(string Relay, string EventId, ReportKind Kind, string Recipient, string? MessageId, string Status, string? Detail, DateTime At);

/// <summary>What became of one webhook event.</summary>
public sealed record RelayEventOutcome(DeliveryRecord? Delivery, BounceOutcome? Outcome);

/// <summary>
/// Mailgun's webhook (documentation "Securing Webhooks"): <c>signature.signature</c> is the hex HMAC-SHA256 of
/// <c>timestamp + token</c> keyed with the HTTP webhook signing key; the event is in <c>event-data</c>.
/// </summary>
public static class MailgunWebhook
{
    /// <summary>True when the signature is Mailgun's; compared in constant time.</summary>
    public static bool SignatureIsValid(string signingKey, string timestamp, string token, string signature)
    {
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token));
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The bounce or complaint in <c>event-data</c>; null for events that are neither (delivered, opened, …).</summary>
    public static RelayEvent? Parse(JsonElement eventData)
    {
        var name = Text(eventData, "event");
        var kind = (name, Text(eventData, "severity")) switch
        {
            ("failed", "permanent") => ReportKind.HardBounce,
            ("failed", _) => ReportKind.SoftBounce,
            ("complained", _) => ReportKind.Complaint,
            _ => (ReportKind?)null,
        };
        if (kind is null) return null;
        var id = Text(eventData, "id") ?? throw new JsonException("event-data.id is missing");
        var recipient = Text(eventData, "recipient") ?? throw new JsonException("event-data.recipient is missing");
        var messageId = eventData.TryGetProperty("message", out var message) && message.TryGetProperty("headers", out var headers) ? Text(headers, "message-id") : null;
        var at = eventData.TryGetProperty("timestamp", out var t) && t.TryGetDouble(out var seconds)
            ? DateTime.UnixEpoch.AddSeconds(seconds)
            : DateTime.UtcNow;
        string status = kind == ReportKind.Complaint ? "complaint" : "";
        string? detail = Text(eventData, "reason");
        if (eventData.TryGetProperty("delivery-status", out var ds))
        {
            status = Text(ds, "enhanced-code") is { Length: > 0 } enhanced ? enhanced
                : ds.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32().ToString(CultureInfo.InvariantCulture) : status;
            detail = Text(ds, "description") is { Length: > 0 } description ? description : Text(ds, "message") ?? detail;
        }
        return new RelayEvent("mailgun", id, kind.Value, recipient, messageId?.Trim('<', '>'), status, detail, at);
    }

    /// <summary>A string member of an object, or null when the member is missing or not a string.</summary>
    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// Postmark's bounce and spam-complaint webhooks: authenticated by the basic-auth credentials in the URL
/// configured at Postmark (it signs nothing), so the listener must be reached over https.
/// </summary>
public static class PostmarkWebhook
{
    /// <summary>True when the Authorization header carries exactly the configured credentials; compared in constant time.</summary>
    public static bool IsAuthorized(string? authorization, string username, string password)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        byte[] given;
        try
        {
            given = Convert.FromBase64String(authorization[6..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes($"{username}:{password}"), given);
    }

    /// <summary>The bounce or complaint; null for a record type or bounce type that says nothing about the address.</summary>
    public static RelayEvent? Parse(JsonElement payload)
    {
        var recordType = MailgunWebhook.Text(payload, "RecordType");
        var type = MailgunWebhook.Text(payload, "Type") ?? "";
        var kind = recordType switch
        {
            "SpamComplaint" => ReportKind.Complaint,
            // Postmark's bounce types: these say the address is gone for good…
            "Bounce" when type is "HardBounce" or "BadEmailAddress" or "ManuallyDeactivated" => ReportKind.HardBounce,
            // …these that it failed for now; the others (auto-replies, challenge mail, opt-outs) are not bounces.
            "Bounce" when type is "SoftBounce" or "Transient" or "DnsError" or "MailboxFull" => ReportKind.SoftBounce,
            "Bounce" when type is "SpamComplaint" => ReportKind.Complaint,
            _ => (ReportKind?)null,
        };
        if (kind is null) return null;
        var id = payload.TryGetProperty("ID", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetRawText() : throw new JsonException("ID is missing");
        var recipient = MailgunWebhook.Text(payload, "Email") ?? throw new JsonException("Email is missing");
        var at = DateTime.TryParse(MailgunWebhook.Text(payload, "BouncedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when)
            ? when
            : DateTime.UtcNow;
        var detail = MailgunWebhook.Text(payload, "Description") ?? MailgunWebhook.Text(payload, "Details");
        return new RelayEvent("postmark", id, kind.Value, recipient, null, type, detail, at);
    }
}

/// <summary>
/// Refuses a Mailgun token seen before, within the freshness window: a captured request cannot be played
/// again. Older tokens are forgotten, since their timestamps are refused anyway.
/// </summary>
public sealed class WebhookReplayGuard(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="token"/> is offered, false on every later offer within <paramref name="window"/>.</summary>
    public bool FirstUse(string token, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        foreach (var (old, at) in _seen)
            if (now - at > window * 2) _seen.TryRemove(old, out _);
        return _seen.TryAdd(token, now);
    }
}

/// <summary>
/// Records relay-reported bounces and complaints in the same <see cref="IBounceLedger"/> as the bounce mailbox,
/// with the same suppression rules; each event is recorded once under its relay's event id.
/// </summary>
public sealed class RelayReports(
    IDeliveryLedger deliveries,
    IEditionStore editions,
    IBounceLedger ledger,
    Metrics.DigestMetrics metrics,
    IOptions<DigestOptions> options,
    ILogger<RelayReports> log)
{
    public RelayEventOutcome Record(RelayEvent e)
    {
        var delivery = Match(e);
        if (delivery is null)
        {
            log.LogWarning(BounceEvents.WebhookReportUnmatched, "{Relay} reported {Kind} for {Email} (event {EventId}), which matches no delivery; nothing recorded", e.Relay, e.Kind, e.Recipient, e.EventId);
            return new RelayEventOutcome(null, null);
        }
        var report = new DeliveryReport(e.Kind, e.Status, e.Recipient, e.Detail, [], e.MessageId);
        // The request was authenticated as the relay's, so the report is verified like a signed return path.
        var outcome = ledger.Record($"{e.Relay}:{e.EventId}", report, delivery, e.At, verified: true);
        if (!outcome.Duplicate)
        {
            metrics.Report(e.Kind);
            log.LogWarning(BounceEvents.WebhookReportRecorded, "Edition {Edition}: {Kind} for {Email} ({Status} {Detail}), reported by {Relay}{Suppressed}",
                delivery.Edition, e.Kind, delivery.Email, e.Status, e.Detail, e.Relay,
                outcome.Suppressed ? "; the address is suppressed" : e.Kind == ReportKind.SoftBounce ? $"; {outcome.SoftStreak} in a row" : "");
        }
        return new RelayEventOutcome(delivery, outcome);
    }

    /// <summary>
    /// The delivery by our Message-ID when the relay quotes it, else the newest message sent to the address
    /// (Postmark quotes only its own ids).
    /// </summary>
    private DeliveryRecord? Match(RelayEvent e)
    {
        var key = e.Recipient.Trim().ToLowerInvariant();
        if (e.MessageId is { Length: > 0 } messageId && deliveries.FindByMessageId(messageId) is { } byMessageId && byMessageId.Key == key)
            return byMessageId;
        // Only the editions the ledger still keeps per reader can be matched; older ones are folded into counts.
        return editions.Recent(options.Value.Ledger.KeepEditions)
            .Select(edition => deliveries.Find(edition.Number, key))
            .FirstOrDefault(d => d is { State: DeliveryState.Sent or DeliveryState.Bounced });
    }
}
