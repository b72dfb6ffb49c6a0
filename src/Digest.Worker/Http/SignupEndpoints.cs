using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Digest.Subscribers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;

namespace Digest.Worker.Http;

/// <summary>
/// Signup with double opt-in, served only while Digest:Signup:Enabled: <c>POST /subscribe</c> (a form or JSON) mails
/// a confirmation link and answers the same whatever the address, so nobody can probe who is subscribed;
/// <c>GET /subscribe/confirm</c> only shows a button (mail scanners follow links), and its <c>POST</c> stores the reader.
/// Every POST counts against a per-client rate limit (429 past it).
/// </summary>
public static class SignupEndpoints
{
    public const string ConfirmPath = "/confirm";
    private const string RateLimitPolicy = "signup";
    private const string CorsPolicy = "signup";

    /// <summary>An address, a name and a few categories: a few hundred bytes. Far more is not a signup.</summary>
    private const long MaxBodyBytes = 4 * 1024;

    /// <summary>The rate limiter and CORS policy of the signup endpoints.</summary>
    public static IServiceCollection AddSignup(this IServiceCollection services, SignupOptions o)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client address as the listener sees it; behind a reverse proxy that is the proxy (see README).
            limiter.AddPolicy(RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = o.RequestsPerClient, Window = o.ClientWindow, QueueLimit = 0 }));
        });
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins([.. o.AllowedOrigins.Select(origin => origin.TrimEnd('/'))])
            .WithMethods("POST")
            .WithHeaders("Content-Type", "Accept")));
        return services;
    }

    public static IEndpointRouteBuilder MapSignup(this IEndpointRouteBuilder routes, string path)
    {
        routes.MapGet(path, ShowForm);
        routes.MapPost(path, SubscribeAsync).RequireRateLimiting(RateLimitPolicy).RequireCors(CorsPolicy);
        routes.MapGet(path + ConfirmPath, ShowConfirm);
        routes.MapPost(path + ConfirmPath, Confirm).RequireRateLimiting(RateLimitPolicy);
        return routes;
    }

    private static async Task<IResult> SubscribeAsync(HttpContext http, DoubleOptIn signup, IOptions<DigestOptions> options)
    {
        var o = options.Value;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBodyBytes;
        var json = IsJson(http.Request);
        SignupForm? form;
        try
        {
            form = json ? await ReadJsonAsync(http) : await ReadFormAsync(http);
        }
        catch (BadHttpRequestException e)
        {
            return Answer(http, json, e.StatusCode, o, "Not signed up", $"The request was refused: {e.Message}");
        }
        if (form is null)
            return Answer(http, json, StatusCodes.Status400BadRequest, o, "Not signed up", json ? "Expected a JSON object with an email." : "Expected a form with an email field.");
        // A bot learns nothing: the honeypot gets the answer a person gets, whatever else it posted.
        if (form.IsBot)
        {
            signup.IgnoreBot();
            return Pending(http, json, o);
        }
        var (request, problem) = form.Check(signup.Categories());
        if (request is null) return Answer(http, json, StatusCodes.Status400BadRequest, o, "Not signed up", problem!);
        try
        {
            await signup.RequestAsync(request, http.RequestAborted);
        }
        catch (ConfirmationNotSentException)
        {
            // The relay's trouble, the same for every address: the reader may simply try again.
            http.Response.Headers.RetryAfter = "300";
            return Answer(http, json, StatusCodes.Status503ServiceUnavailable, o, "Please try again later",
                "The confirmation mail could not be sent just now. Please try again in a few minutes.");
        }
        return Pending(http, json, o);
    }

    /// <summary>
    /// The signup form itself, with a box for each category the list sends: for a site that links to it rather than
    /// embedding the form, and as the snippet to copy with today's categories.
    /// </summary>
    private static IResult ShowForm(HttpContext http, DoubleOptIn signup, IOptions<DigestOptions> options)
    {
        var o = options.Value;
        var boxes = string.Concat(signup.Categories().Select(c =>
            $"""<label><input type="checkbox" name="{SignupForm.CategoriesField}" value="{Encode(c)}"> {Encode(c)}</label><br>""" + "\n"));
        // No action attribute: the form posts to this very URL. The honeypot is hidden from people, not from bots.
        return UnsubscribeEndpoints.Page(http, HttpStatusCode.OK, o, $"Subscribe to {o.ListName}",
            $"""
             <form method="post">
             <p><label>Email <input type="email" name="{SignupForm.EmailField}" required maxlength="{SignupForm.MaxEmail}"></label></p>
             <p><label>Name (optional) <input type="text" name="{SignupForm.NameField}" maxlength="{SignupForm.MaxName}"></label></p>
             {(boxes.Length > 0 ? $"<p>Only these categories (none: everything):<br>\n{boxes}</p>" : "")}
             <div style="position:absolute;left:-5000px" aria-hidden="true"><input type="text" name="{SignupForm.HoneypotField}" tabindex="-1" autocomplete="off"></div>
             <button type="submit">Subscribe</button>
             </form>
             """);
    }

    private static IResult ShowConfirm(HttpContext http, string? token, SignupTokens tokens, IOptions<DigestOptions> options)
    {
        var o = options.Value;
        var (ticket, problem) = tokens.Open(token);
        if (ticket is null) return BadLink(http, o, problem);
        // No action attribute: the form posts back to this very URL, token included.
        return UnsubscribeEndpoints.Page(http, HttpStatusCode.OK, o, "Confirm your subscription",
            $"""
             <p>Send {Encode(o.ListName)} to <strong>{Encode(ticket.Request.Email)}</strong>?</p>
             <form method="post"><button type="submit">Confirm</button></form>
             """);
    }

    private static IResult Confirm(HttpContext http, string? token, SignupTokens tokens, DoubleOptIn signup, IOptions<DigestOptions> options)
    {
        var o = options.Value;
        var (ticket, problem) = tokens.Open(token);
        if (ticket is null) return BadLink(http, o, problem);
        var email = Encode(ticket.Request.Email);
        return signup.Confirm(ticket) switch
        {
            ConfirmOutcome.SupersededBySuppression => UnsubscribeEndpoints.Page(http, HttpStatusCode.BadRequest, o, "Link no longer valid",
                $"<p><strong>{email}</strong> was unsubscribed after this link was sent, so it cannot subscribe you again. To come back, sign up again and confirm the new link.</p>"),
            ConfirmOutcome.StoredButComplained => UnsubscribeEndpoints.Page(http, HttpStatusCode.OK, o, "Signup recorded",
                $"<p>Your signup is recorded, but a spam report was received from <strong>{email}</strong>, so nothing is sent to it until the list's owner lifts that. Reply to the confirmation mail to ask.</p>"),
            _ => UnsubscribeEndpoints.Page(http, HttpStatusCode.OK, o, "You are subscribed",
                $"<p>You are subscribed: <strong>{email}</strong> gets {Encode(o.ListName)} from the next edition. Every mail has a link to unsubscribe.</p>"),
        };
    }

    private static IResult BadLink(HttpContext http, DigestOptions o, TicketProblem problem) => problem == TicketProblem.Expired
        ? UnsubscribeEndpoints.Page(http, HttpStatusCode.BadRequest, o, "Link expired",
            "<p>This confirmation link has expired. Sign up again and confirm the new link.</p>")
        : UnsubscribeEndpoints.Page(http, HttpStatusCode.BadRequest, o, "Link not valid",
            "<p>This confirmation link is not valid: it may have been cut short or altered. Use the whole link from the email, or sign up again.</p>");

    private static IResult Pending(HttpContext http, bool json, DigestOptions o) => json
        ? Results.Json(new { status = "pending", message = "Check your inbox: we sent a link to confirm." }, statusCode: StatusCodes.Status202Accepted)
        : UnsubscribeEndpoints.Page(http, HttpStatusCode.OK, o, "Check your inbox",
            $"<p>Check your inbox: if the address can receive {Encode(o.ListName)}, a mail with a link to confirm is on its way. Nothing is sent until you confirm.</p>");

    private static IResult Answer(HttpContext http, bool json, int status, DigestOptions o, string title, string message) => json
        ? Results.Json(new { error = message }, statusCode: status)
        : UnsubscribeEndpoints.Page(http, (HttpStatusCode)status, o, title, $"<p>{Encode(message)}</p>");

    private static bool IsJson(HttpRequest request) =>
        request.HasJsonContentType() || (!request.HasFormContentType && request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase));

    private static async Task<SignupForm?> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return null;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        return new SignupForm(form[SignupForm.EmailField], form[SignupForm.NameField],
            [.. form[SignupForm.CategoriesField].SelectMany(v => (v ?? "").Split(',')).Where(c => c.Trim().Length > 0)],
            form[SignupForm.HoneypotField]);
    }

    private static async Task<SignupForm?> ReadJsonAsync(HttpContext http)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            string? Text(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var categories = root.TryGetProperty(SignupForm.CategoriesField, out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            return new SignupForm(Text(SignupForm.EmailField), Text(SignupForm.NameField), categories, Text(SignupForm.HoneypotField));
        }
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
