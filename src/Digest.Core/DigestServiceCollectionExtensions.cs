using Digest.Bounces;
using Digest.Archive;
using Digest.Comparisons;
using Digest.Delivery;
using Digest.Editions;
using Digest.Metrics;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>Registration of Digest's services, one method per area.</summary>
public static class DigestServiceCollectionExtensions
{
    public static IServiceCollection AddDigest(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddDigestOptions(configuration)
            .AddStore()
            .AddComparisons()
            .AddEditions()
            .AddSubscribers()
            .AddRendering()
            .AddDelivery()
            .AddBounces()
            .AddArchive();

    public static IServiceCollection AddDigestOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DigestOptions>().Bind(configuration.GetSection(DigestOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DigestOptions>, DigestOptionsValidator>();
        services.AddSingleton<IValidateOptions<DigestOptions>>(new UnknownSettings(configuration));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    public static IServiceCollection AddStore(this IServiceCollection services) =>
        services.AddSingleton(sp => new DigestStore(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Store.Path));

    public static IServiceCollection AddComparisons(this IServiceCollection services) =>
        services.AddSingleton<ComparisonStore>().AddSingleton<ComparisonImporter>();

    public static IServiceCollection AddEditions(this IServiceCollection services) =>
        services.AddSingleton<EditionStore>().AddSingleton<EditionPlanner>().AddSingleton<DigestRun>();

    public static IServiceCollection AddSubscribers(this IServiceCollection services) =>
        services.AddSingleton<SubscriberSource>().AddSingleton<SuppressionList>().AddSingleton<UnsubscribeKey>().AddSingleton<UnsubscribeTokens>();

    public static IServiceCollection AddRendering(this IServiceCollection services) =>
        services
            .AddSingleton(sp => new TemplateSet(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Templates.Path))
            .AddSingleton<DigestRenderer>();

    public static IServiceCollection AddDelivery(this IServiceCollection services) =>
        services
            .AddSingleton<DeliveryLedger>()
            .AddSingleton(sp => new OutcomeJournal(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Store.Path))
            .AddSingleton<DkimSigning>()
            .AddSingleton<MessageIds>()
            .AddSingleton<MessageBuilder>()
            .AddSingleton<EditionDispatcher>()
            .AddMetrics().AddSingleton<DigestMetrics>()
            .AddSingleton<SenderLease>()
            .AddSingleton(sp => RelaySet.From(sp.GetRequiredService<IOptions<DigestOptions>>().Value));

    /// <summary>VERP return paths, the bounce ledger, the reader of the bounce mailbox and the relays' webhook reports.</summary>
    public static IServiceCollection AddBounces(this IServiceCollection services) =>
        services.AddSingleton<ReturnPaths>().AddSingleton<BounceLedger>().AddSingleton<BounceReader>().AddSingleton<RelayReports>();

    /// <summary>The worker's poll of the bounce mailbox; it does nothing while Digest:Bounces:Imap:Host is empty.</summary>
    public static IServiceCollection AddBouncePolling(this IServiceCollection services) =>
        services.AddHostedService<BouncePolling>();

    public static IServiceCollection AddArchive(this IServiceCollection services) =>
        services.AddSingleton<EditionArchive>();
}
