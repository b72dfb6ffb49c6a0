using Digest.Archive;
using Digest.Bounces;
using Digest.Comparisons;
using Digest.Dispatch;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Metrics;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Digest.Transport;
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
            .AddStore(provider: StorageServiceCollectionExtensions.ProviderIn(configuration))
            .AddComparisons()
            .AddEditions()
            .AddSubscribers(configuration)
            .AddRendering()
            .AddMessages()
            .AddTransport()
            .AddDispatch()
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

    public static IServiceCollection AddComparisons(this IServiceCollection services) =>
        services.AddSingleton<ComparisonImporter>();

    /// <summary>Choosing and drafting editions, and the run that sends them.</summary>
    public static IServiceCollection AddEditions(this IServiceCollection services) =>
        services.AddSingleton<EditionPlanner>().AddSingleton<NextEdition>().AddSingleton<DigestRun>().AddSingleton<DigestDryRun>();

    /// <summary>The subscriber file, signups with double opt-in (Digest:Signup) and the tokens of their links.</summary>
    public static IServiceCollection AddSubscribers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignupOptions>().Bind(configuration.GetSection(SignupOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignupOptions>, SignupOptionsValidator>();
        return services.AddSingleton<SubscriberSource>().AddSingleton<UnsubscribeKey>().AddSingleton<UnsubscribeTokens>()
            .AddSingleton<SignupTokens>().AddSingleton<DoubleOptIn>();
    }

    public static IServiceCollection AddRendering(this IServiceCollection services) =>
        services
            .AddSingleton(sp => new TemplateSet(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Templates.Path))
            .AddSingleton<DigestRenderer>();

    /// <summary>Message composition: Message-IDs, DKIM, the MIME message per reader.</summary>
    public static IServiceCollection AddMessages(this IServiceCollection services) =>
        services
            .AddSingleton<DkimSigning>()
            .AddSingleton<MessageIds>()
            .AddSingleton<MessageBuilder>()
            .AddSingleton<EditionMessages>();

    /// <summary>The relays and their transports (SMTP, outbox), from the settings.</summary>
    public static IServiceCollection AddTransport(this IServiceCollection services) =>
        services.AddSingleton(sp => RelaySet.From(sp.GetRequiredService<IOptions<DigestOptions>>().Value));

    /// <summary>The sender lease and the dispatcher that sends an edition over the relays.</summary>
    public static IServiceCollection AddDispatch(this IServiceCollection services) =>
        services.AddSingleton<SenderLease>().AddSingleton<EditionDispatcher>().AddMetrics().AddSingleton<DigestMetrics>();

    /// <summary>VERP return paths, the bounce ledger, the reader of the bounce mailbox and the relays' webhook reports.</summary>
    public static IServiceCollection AddBounces(this IServiceCollection services) =>
        services.AddSingleton<ReturnPaths>().AddSingleton<BounceReader>().AddSingleton<RelayReports>();

    /// <summary>The worker's poll of the bounce mailbox; it does nothing while Digest:Bounces:Imap:Host is empty.</summary>
    public static IServiceCollection AddBouncePolling(this IServiceCollection services) =>
        services.AddHostedService<BouncePolling>();

    public static IServiceCollection AddArchive(this IServiceCollection services) =>
        services.AddSingleton<EditionArchive>();
}
