using System.Net;
using Digest.Subscribers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Digest.Worker.Http;

/// <summary>
/// The one-click unsubscribe endpoint (RFC 8058) behind the link in every mail. A POST with
/// <c>List-Unsubscribe=One-Click</c> unsubscribes at once; a GET only shows a confirm button, because mail
/// scanners and link previews follow GET links. Every bad token gets the same 400, whether or not the address
/// is on the list, so the endpoint cannot be used to probe for subscribers.
/// </summary>
public static class UnsubscribeEndpoints
{
    public const string OneClickField = "List-Unsubscribe";
    public const string OneClickValue = "One-Click";

    /// <summary>The route the mailed links point at: the path of Digest:Unsubscribe:BaseUrl.</summary>
    public static string PathOf(string baseUrl)
    {
        var path = Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) ? uri.AbsolutePath.TrimEnd('/') : "";
        return path.Length == 0 ? "/unsubscribe" : path;
    }

    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder routes, string path)
    {
        routes.MapGet(path, Confirm);
        routes.MapPost(path, UnsubscribeAsync);
        return routes;
    }

    private static IResult Confirm(HttpContext http, string? token, UnsubscribeTokens tokens, IOptions<DigestOptions> options)
    {
        if (tokens.Verify(token) is not { } email) return InvalidLink(http, options.Value);
        // No action attribute: the form posts back to this very URL, token included, even behind a proxy that rewrites the prefix.
        return Page(http, HttpStatusCode.OK, options.Value, "Unsubscribe?",
            $"""
             <p>Stop sending {Encode(options.Value.ListName)} to <strong>{Encode(email)}</strong>?</p>
             <form method="post"><input type="hidden" name="{OneClickField}" value="{OneClickValue}"><button type="submit">Unsubscribe</button></form>
             """);
    }

    private static async Task<IResult> UnsubscribeAsync(HttpContext http, string? token, UnsubscribeTokens tokens,
        ISuppressions suppressions, IOptions<DigestOptions> options, ILoggerFactory loggers, Metrics.DigestMetrics metrics)
    {
        var o = options.Value;
        if (tokens.Verify(token) is not { } email) return InvalidLink(http, o);
        // RFC 8058 3.2: the POST body carries exactly this field; anything else is not a one-click request.
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        if (form is null || form[OneClickField] != OneClickValue)
            return Page(http, HttpStatusCode.BadRequest, o, "Not unsubscribed", $"<p>The request did not carry {OneClickField}={OneClickValue}; nothing was changed.</p>");
        if (suppressions.Add(email, SuppressionReason.Unsubscribed, "one-click link"))
        {
            metrics.Unsubscribed("one_click");
            loggers.CreateLogger("Digest.Unsubscribe").LogInformation(HttpEvents.UnsubscribedByLink, "Unsubscribed {Email} by the one-click link", email);
        }
        return Page(http, HttpStatusCode.OK, o, "Unsubscribed",
            $"<p><strong>{Encode(email)}</strong> will get no more {Encode(o.ListName)}. Sorry to see you go.</p>");
    }

    private static IResult InvalidLink(HttpContext http, DigestOptions o) =>
        Page(http, HttpStatusCode.BadRequest, o, "Link not valid",
            "<p>This unsubscribe link is not valid: it may have been cut short or altered. Use the whole link from the email, or reply to the email and ask to be removed.</p>");

    internal static IResult Page(HttpContext http, HttpStatusCode status, DigestOptions o, string title, string body)
    {
        // The token is in the URL: keep it out of caches and out of the Referer of any page opened from here.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>{Encode(title)} · {Encode(o.ListName)}</title></head>
            <body><h1>{Encode(title)}</h1>
            {body}
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: (int)status);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
