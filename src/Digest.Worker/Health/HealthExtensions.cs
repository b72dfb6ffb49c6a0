using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Digest.Worker.Health;

public static class HealthExtensions
{
    /// <summary>Checks run for liveness (<c>/healthz</c>); readiness (<c>/readyz</c>) runs them all.</summary>
    public const string Live = "live";

    public static IServiceCollection AddWorkerHealth(this IServiceCollection services)
    {
        services.AddSingleton<LastRun>();
        services.AddHealthChecks()
            .AddCheck<SchedulerCheck>("scheduler", tags: [Live])
            .AddCheck<StoreCheck>("store")
            .AddCheck<LastRunCheck>("last-run")
            .AddCheck<RelayCheck>("relay");
        return services;
    }

    /// <summary>
    /// <c>/healthz</c>: is the process worth keeping (the scheduler runs); <c>/readyz</c>: every check. Degraded
    /// answers 200 so a load balancer keeps the unsubscribe endpoint reachable; the body says what is wrong.
    /// </summary>
    public static IEndpointRouteBuilder MapWorkerHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Live), ResponseWriter = WriteAsync });
        routes.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return routes;
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), http.RequestAborted);
    }
}
