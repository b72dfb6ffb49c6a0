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
using Digest.Validation;
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
        // One validator per options class, each added by its area; here the rules between areas, and the areas whose
        // services only the worker registers (the listener, the heartbeat) but whose settings every command checks.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DigestOptions>, DigestOptionsValidator>());
        services.AddSettingsValidator<HttpOptionsValidator, HttpOptions>().AddSettingsValidator<HealthOptionsValidator, HealthOptions>();
        services.AddSingleton<IValidateOptions<DigestOptions>>(new UnknownSettings(configuration));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    public static IServiceCollection AddComparisons(this IServiceCollection services) =>
        services.AddSingleton<ComparisonImporter>();

    /// <summary>Choosing and drafting editions, and the run that sends them.</summary>
    public static IServiceCollection AddEditions(this IServiceCollection services) =>
        services.AddSingleton<EditionPlanner>().AddSingleton<NextEdition>().AddSingleton<DigestRun>().AddSingleton<DigestDryRun>()
            .AddSettingsValidator<EditionOptionsValidator, EditionOptions>().AddSettingsValidator<ScheduleOptionsValidator, ScheduleOptions>();

    /// <summary>The subscriber file, signups with double opt-in (Digest:Signup) and the tokens of their links.</summary>
    public static IServiceCollection AddSubscribers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignupOptions>().Bind(configuration.GetSection(SignupOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignupOptions>, SignupOptionsValidator>();
        return services.AddSingleton<SubscriberSource>().AddSingleton<UnsubscribeKey>().AddSingleton<UnsubscribeTokens>()
            .AddSingleton<SignupTokens>().AddSingleton<DoubleOptIn>()
            .AddSettingsValidator<SubscribersOptionsValidator, SubscribersOptions>().AddSettingsValidator<UnsubscribeOptionsValidator, UnsubscribeOptions>();
    }

    public static IServiceCollection AddRendering(this IServiceCollection services) =>
        services
            .AddSingleton(sp => new TemplateSet(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Templates.Path))
            .AddSingleton<DigestRenderer>()
            .AddSettingsValidator<TemplatesOptionsValidator, TemplatesOptions>();

    /// <summary>Message composition: Message-IDs, DKIM, the MIME message per reader.</summary>
    public static IServiceCollection AddMessages(this IServiceCollection services) =>
        services
            .AddSingleton<DkimSigning>()
            .AddSingleton<MessageIds>()
            .AddSingleton<MessageBuilder>()
            .AddSingleton<EditionMessages>()
            .AddSettingsValidator<SenderOptionsValidator, SenderOptions>()
            .AddSettingsValidator<DkimOptionsValidator, DkimOptions>();

    /// <summary>The relays and their transports (SMTP, outbox), from the settings.</summary>
    public static IServiceCollection AddTransport(this IServiceCollection services) =>
        services.AddSingleton(sp => RelaySet.From(sp.GetRequiredService<IOptions<DigestOptions>>().Value))
            .AddSettingsValidator<SmtpOptionsValidator, SmtpOptions>().AddSettingsValidator<OutboxOptionsValidator, OutboxOptions>();

    /// <summary>The sender lease and the dispatcher that sends an edition over the relays.</summary>
    public static IServiceCollection AddDispatch(this IServiceCollection services) =>
        services.AddSingleton<SenderLease>().AddSingleton<EditionDispatcher>().AddMetrics().AddSingleton<DigestMetrics>()
            .AddSettingsValidator<DeliveryOptionsValidator, DeliveryOptions>().AddSettingsValidator<LedgerOptionsValidator, LedgerOptions>();

    /// <summary>VERP return paths, the bounce ledger, the reader of the bounce mailbox and the relays' webhook reports.</summary>
    public static IServiceCollection AddBounces(this IServiceCollection services) =>
        services.AddSingleton<ReturnPaths>().AddSingleton<BounceReader>().AddSingleton<RelayReports>()
            .AddSettingsValidator<BouncesOptionsValidator, BouncesOptions>();

    /// <summary>The worker's poll of the bounce mailbox; it does nothing while Digest:Bounces:Imap:Host is empty.</summary>
    public static IServiceCollection AddBouncePolling(this IServiceCollection services) =>
        services.AddHostedService<BouncePolling>();

    public static IServiceCollection AddArchive(this IServiceCollection services) =>
        services.AddSingleton<EditionArchive>().AddSettingsValidator<ArchiveOptionsValidator, ArchiveOptions>();
}
