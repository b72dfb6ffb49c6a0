using Digest.Bounces;
using Digest.Archive;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Digest.Dispatch;
using Digest.Ledger;
using Digest.Messages;
using Digest.Storage.LiteDb;
using Digest.Transport;

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
            .AddSingleton<SenderLease>()
            .AddSingleton(sp => RelaySet.From(sp.GetRequiredService<IOptions<DigestOptions>>().Value));

    /// <summary>VERP return paths, the bounce ledger and the reader of the bounce mailbox.</summary>
    public static IServiceCollection AddBounces(this IServiceCollection services) =>
        services.AddSingleton<ReturnPaths>().AddSingleton<BounceLedger>().AddSingleton<BounceReader>();

    /// <summary>The worker's poll of the bounce mailbox; it does nothing while Digest:Bounces:Imap:Host is empty.</summary>
    public static IServiceCollection AddBouncePolling(this IServiceCollection services) =>
        services.AddHostedService<BouncePolling>();

    public static IServiceCollection AddArchive(this IServiceCollection services) =>
        services.AddSingleton<EditionArchive>();
}
