using Digest.Subscribers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Digest.Metrics;
using Digest.Worker.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Digest.Worker.Http;

/// <summary>
/// Hosts the unsubscribe endpoint, the signup form's endpoints (Digest:Signup:Enabled), the relays' bounce webhooks, <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> on Kestrel inside the
/// worker's host, beside the schedule. A small
/// <see cref="WebApplication"/> of its own keeps ASP.NET Core out of every other command; it serves the
/// worker's own suppression list and token key, and logs through the worker's loggers.
/// </summary>
public sealed class UnsubscribeListener(
    IOptions<DigestOptions> options,
    ISuppressions suppressions,
    UnsubscribeTokens tokens,
    DigestMetrics metrics,
    MeterProvider meterProvider,
    HealthCheckService health,
    Bounces.RelayReports relayReports,
    TimeProvider clock,
    IOptions<SignupOptions> signupOptions,
    IServiceProvider digest,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>A one-click POST is a few dozen bytes; anything much larger is not one.</summary>
    private const long MaxRequestBodyBytes = 16 * 1024;

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var path = UnsubscribeEndpoints.PathOf(o.Unsubscribe.BaseUrl);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        builder.WebHost.UseUrls(o.Http.Urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggers).AddSingleton(options).AddSingleton(suppressions).AddSingleton(tokens)
            .AddSingleton(metrics).AddSingleton(health).AddSingleton(relayReports).AddSingleton(clock).AddSingleton<Bounces.WebhookReplayGuard>();
        var signup = signupOptions.Value;
        if (signup.Enabled)
        {
            // Resolved here, not in the constructor: with signup off, nothing of it is made.
            builder.Services.AddSingleton(digest.GetRequiredService<DoubleOptIn>()).AddSingleton(digest.GetRequiredService<SignupTokens>())
                .AddSignup(signup);
        }
        var app = builder.Build();
        app.UseRouting();
        if (signup.Enabled)
        {
            app.UseCors();
            app.UseRateLimiter();
            app.MapSignup(signup.PathOf(o));
        }
        app.MapUnsubscribe(path);
        app.MapWorkerHealth();
        app.MapRelayWebhooks(o);
        // The worker's own meter provider: it was listening before the first run, whether or not this port is up yet.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider, configureBranchedPipeline: null, optionsName: null);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new OptionsValidationException(DigestOptions.Section, typeof(DigestOptions), [$"Digest:Http:Urls \"{o.Http.Urls}\" cannot be listened on: {e.Message}"]);
        }
        _app = app;
        loggers.CreateLogger("Digest.Unsubscribe")
            .LogInformation(HttpEvents.ListenerStarted, "Unsubscribe listener on {Urls}: {Path} for one-click unsubscribe, /healthz, /readyz, /metrics{Webhooks}", string.Join(", ", app.Urls), path,
                (signup.Enabled ? $", {signup.PathOf(o)} for signups" : "") + (o.Bounces.Webhooks.Mailgun.Enabled ? ", " + WebhookEndpoints.MailgunPath : "") + (o.Bounces.Webhooks.Postmark.Enabled ? ", " + WebhookEndpoints.PostmarkPath : "")
                + (o.Bounces.Webhooks.SendGrid.Enabled ? ", " + WebhookEndpoints.SendGridPath : ""));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
