namespace Digest.Worker.Http;

public static class HttpExtensions
{
    /// <summary>The one-click unsubscribe listener, only when Digest:Http:Urls is set; off otherwise.</summary>
    public static IServiceCollection AddUnsubscribeListener(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{DigestOptions.Section}:Http:Urls"])) return services;
        services.AddHostedService<UnsubscribeListener>();
        return services;
    }
}
