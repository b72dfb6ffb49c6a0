using System.Globalization;
using System.Text.Json;
using Digest.Bounces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Digest.Worker.Http;

/// <summary>
/// Relays' bounce and complaint webhooks: <c>/webhooks/mailgun</c> and <c>/webhooks/postmark</c>, each served
/// only while its credentials are configured. A request is authenticated before its payload is even parsed;
/// a bad signature or password gets 401 and changes nothing.
/// </summary>
public static class WebhookEndpoints
{
    public const string MailgunPath = "/webhooks/mailgun";
    public const string PostmarkPath = "/webhooks/postmark";

    /// <summary>A Postmark bounce carries the whole bounced message in "Content"; more than this is not a report.</summary>
    private const long MaxPayloadBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapRelayWebhooks(this IEndpointRouteBuilder routes, DigestOptions options)
    {
        if (options.Bounces.Webhooks.Mailgun.Enabled) routes.MapPost(MailgunPath, MailgunAsync);
        if (options.Bounces.Webhooks.Postmark.Enabled) routes.MapPost(PostmarkPath, PostmarkAsync);
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
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799))).Duration() > o.MaxAge)
                return Refused(log, "Mailgun", $"timestamp {timestamp} is more than Digest:Bounces:Webhooks:Mailgun:MaxAge ({o.MaxAge}) from now");
            if (!replays.FirstUse(token, o.MaxAge))
                return Refused(log, "Mailgun", "token already used (a replay)");
            if (!root.TryGetProperty("event-data", out var eventData))
                return Results.BadRequest("Expected event-data.");
            return Record(reports, log, "Mailgun", () => MailgunWebhook.Parse(eventData));
        }
    }

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
