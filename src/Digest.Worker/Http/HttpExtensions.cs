using OpenTelemetry.Metrics;

namespace Digest.Worker.Http;

public static class HttpExtensions
{
    /// <summary>The listener (one-click unsubscribe, health, metrics), only when Digest:Http:Urls is set; off otherwise.</summary>
    public static IServiceCollection AddUnsubscribeListener(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{DigestOptions.Section}:Http:Urls"])) return services;
        services.AddHostedService<UnsubscribeListener>();
        // Prometheus text at /metrics: the Digest meter through the OpenTelemetry SDK.
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(Metrics.DigestMetrics.MeterName).AddPrometheusExporter());
        return services;
    }
}
