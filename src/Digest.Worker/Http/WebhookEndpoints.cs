using System.Globalization;
using System.Text.Json;
using Digest.Bounces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Digest.Worker.Http;

/// <summary>
/// Relays' bounce and complaint webhooks: <c>/webhooks/mailgun</c>, <c>/webhooks/postmark</c> and <c>/webhooks/sendgrid</c>, each served
/// only while its credentials are configured. A request is authenticated before its payload is even parsed;
/// a bad signature or password gets 401 and changes nothing.
/// </summary>
public static class WebhookEndpoints
{
    public const string MailgunPath = "/webhooks/mailgun";
    public const string PostmarkPath = "/webhooks/postmark";
    public const string SendGridPath = "/webhooks/sendgrid";

    /// <summary>SendGrid posts events in batches, each batch one array.</summary>
    private const long MaxSendGridBatchBytes = 2 * 1024 * 1024;

    /// <summary>A Postmark bounce carries the whole bounced message in "Content"; more than this is not a report.</summary>
    private const long MaxPayloadBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapRelayWebhooks(this IEndpointRouteBuilder routes, DigestOptions options)
    {
        if (options.Bounces.Webhooks.Mailgun.Enabled) routes.MapPost(MailgunPath, MailgunAsync);
        if (options.Bounces.Webhooks.Postmark.Enabled) routes.MapPost(PostmarkPath, PostmarkAsync);
        if (options.Bounces.Webhooks.SendGrid.Enabled) routes.MapPost(SendGridPath, SendGridAsync);
        return routes;
    }

    private static async Task<IResult> MailgunAsync(HttpContext http, IOptions<DigestOptions> options, RelayReports reports,
        WebhookReplayGuard replays, TimeProvider clock, ILoggerFactory loggers)
    {
        var o = options.Value.Bounces.Webhooks.Mailgun;
        var log = loggers.CreateLogger("Digest.Webhooks");
        if (await ReadJsonAsync(http) is not { } payload) return Results.BadRequest("Expected a JSON body.");
        using (payload)
        {
            var root = payload.RootElement;
            var signature = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("signature", out var s) ? s : default;
            var timestamp = MailgunWebhook.Text(signature, "timestamp") ?? "";
            var token = MailgunWebhook.Text(signature, "token") ?? "";
            if (!MailgunWebhook.SignatureIsValid(o.SigningKey!, timestamp, token, MailgunWebhook.Text(signature, "signature") ?? ""))
                return Refused(log, "Mailgun", "bad signature");
            if (!IsFresh(timestamp, o.MaxAge, clock))
                return Refused(log, "Mailgun", $"timestamp {timestamp} is more than Digest:Bounces:Webhooks:Mailgun:MaxAge ({o.MaxAge}) from now");
            if (!replays.FirstUse(token, o.MaxAge))
                return Refused(log, "Mailgun", "token already used (a replay)");
            if (!root.TryGetProperty("event-data", out var eventData))
                return Results.BadRequest("Expected event-data.");
            return Record(reports, log, "Mailgun", () => MailgunWebhook.Parse(eventData));
        }
    }

    /// <summary>Whether a signed Unix timestamp (seconds) is within <paramref name="maxAge"/> of now, either way: a captured request cannot be replayed later.</summary>
    private static bool IsFresh(string timestamp, TimeSpan maxAge, TimeProvider clock) =>
        long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799))).Duration() <= maxAge;

    private static async Task<IResult> PostmarkAsync(HttpContext http, IOptions<DigestOptions> options, RelayReports reports, ILoggerFactory loggers)
    {
        var o = options.Value.Bounces.Webhooks.Postmark;
        var log = loggers.CreateLogger("Digest.Webhooks");
        if (!PostmarkWebhook.IsAuthorized(http.Request.Headers.Authorization, o.Username!, o.Password!))
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"digest\"";
            return Refused(log, "Postmark", "wrong or missing credentials");
        }
        if (await ReadJsonAsync(http) is not { } payload) return Results.BadRequest("Expected a JSON body.");
        using (payload)
            return Record(reports, log, "Postmark", () => PostmarkWebhook.Parse(payload.RootElement));
    }

    private static async Task<IResult> SendGridAsync(HttpContext http, IOptions<DigestOptions> options, RelayReports reports,
        WebhookReplayGuard replays, TimeProvider clock, ILoggerFactory loggers)
    {
        var o = options.Value.Bounces.Webhooks.SendGrid;
        var log = loggers.CreateLogger("Digest.Webhooks");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxSendGridBatchBytes;
        // The signature covers the raw bytes: read them as they came, before anything is parsed.
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var timestamp = http.Request.Headers[SendGridWebhook.TimestampHeader].ToString();
        var signature = http.Request.Headers[SendGridWebhook.SignatureHeader].ToString();
        using (var key = SendGridWebhook.ReadKey(o.VerificationKey!))
            if (signature.Length == 0 || !SendGridWebhook.SignatureIsValid(key, timestamp, body.GetBuffer().AsSpan(0, (int)body.Length), signature))
                return Refused(log, "SendGrid", "bad signature");
        if (!IsFresh(timestamp, o.MaxAge, clock))
            return Refused(log, "SendGrid", $"timestamp {timestamp} is more than Digest:Bounces:Webhooks:SendGrid:MaxAge ({o.MaxAge}) from now");
        if (!replays.FirstUse("sendgrid:" + signature, o.MaxAge))
            return Refused(log, "SendGrid", "signature already used (a replay)");
        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        }
        catch (JsonException)
        {
            return Results.BadRequest("Expected a JSON array of events.");
        }
        using (payload)
        {
            if (payload.RootElement.ValueKind != JsonValueKind.Array) return Results.BadRequest("Expected a JSON array of events.");
            int recorded = 0, duplicate = 0, unmatched = 0, ignored = 0;
            foreach (var item in payload.RootElement.EnumerateArray())
            {
                RelayEvent? e;
                try
                {
                    e = SendGridWebhook.Parse(item);
                }
                catch (JsonException ex)
                {
                    // One unreadable event must not make SendGrid retry the whole batch (and count the rest twice).
                    log.LogWarning(HttpEvents.WebhookUnreadable, "SendGrid webhook with a good signature but an event Digest cannot read: {Problem}", ex.Message);
                    ignored++;
                    continue;
                }
                if (e is null) { ignored++; continue; }
                var outcome = reports.Record(e);
                if (outcome.Delivery is null) unmatched++;
                else if (outcome.Outcome!.Duplicate) duplicate++;
                else recorded++;
            }
            return Results.Text($"recorded {recorded}, duplicate {duplicate}, unmatched {unmatched}, ignored {ignored}");
        }
    }

    private static IResult Record(RelayReports reports, ILogger log, string relay, Func<RelayEvent?> parse)
    {
        RelayEvent? e;
        try
        {
            e = parse();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            log.LogWarning(HttpEvents.WebhookUnreadable, "{Relay} webhook with a good signature but a payload Digest cannot read: {Problem}", relay, ex.Message);
            return Results.BadRequest($"Unreadable payload: {ex.Message}");
        }
        // Delivered, opened and the like: acknowledged so the relay does not retry, and nothing is recorded.
        if (e is null) return Results.Ok("ignored");
        var outcome = reports.Record(e);
        return Results.Ok(outcome.Delivery is null ? "unmatched" : outcome.Outcome!.Duplicate ? "duplicate" : "recorded");
    }

    private static IResult Refused(ILogger log, string relay, string why)
    {
        log.LogWarning(HttpEvents.WebhookRefused, "{Relay} webhook refused with 401: {Reason}; nothing recorded", relay, why);
        return Results.Unauthorized();
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext http)
    {
        // The listener's default body limit is sized for one-click unsubscribes.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxPayloadBytes;
        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
