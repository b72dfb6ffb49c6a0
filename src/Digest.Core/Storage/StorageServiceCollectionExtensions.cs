using Digest.Bounces;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Scheduling;
using Digest.Storage.LiteDb;
using Digest.Storage.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Digest.Validation;

namespace Digest.Storage;

/// <summary>Registration of the store: the one place that chooses which implementation serves the pipeline's ports.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The store behind every port the pipeline declares (comparisons, editions, delivery ledger, suppressions,
    /// bounces, sender lease and slots, schedule record, store identity, signups). LiteDB, one file at Digest:Store:Path, is the default.
    /// <paramref name="readOnly"/>: for commands that only read (status, suppressions); any write fails.
    /// </summary>
    /// <paramref name="provider"/>: Digest:Store:Provider, read before the options are bound (<see cref="ProviderIn"/>).
    public static IServiceCollection AddStore(this IServiceCollection services, bool readOnly = false, StoreProvider provider = StoreProvider.LiteDb) =>
        (provider == StoreProvider.PostgreSql ? services.AddPostgreSqlStore() : services.AddLiteDbStore(readOnly))
            .AddSettingsValidator<StoreOptionsValidator, StoreOptions>();

    /// <summary>
    /// Digest:Store:Provider as registration needs it, before options are bound and validated: a value that is not a
    /// provider reads as LiteDb here, and the options validation then stops start-up naming it.
    /// </summary>
    public static StoreProvider ProviderIn(IConfiguration configuration) =>
        Enum.TryParse<StoreProvider>(configuration[$"{DigestOptions.Section}:Store:Provider"], ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : StoreProvider.LiteDb;

    /// <summary>
    /// Every port on a PostgreSQL database (Digest:Store:ConnectionString), which several workers may share. The
    /// schema is created or migrated when the first port is used.
    /// </summary>
    public static IServiceCollection AddPostgreSqlStore(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => PostgreSqlStore.Open(
            sp.GetRequiredService<IOptions<DigestOptions>>().Value.Store, sp.GetService<ILoggerFactory>()?.CreateLogger("Digest.Storage")));
        services.TryAddSingleton<PostgreSqlSuppressions>();
        services.TryAddSingleton<PostgreSqlDeliveryLedger>();
        services.TryAddSingleton<IComparisonStore, PostgreSqlComparisonStore>();
        services.TryAddSingleton<IEditionStore, PostgreSqlEditionStore>();
        services.TryAddSingleton<IDeliveryLedger>(sp => sp.GetRequiredService<PostgreSqlDeliveryLedger>());
        services.TryAddSingleton<ISuppressions>(sp => sp.GetRequiredService<PostgreSqlSuppressions>());
        services.TryAddSingleton<IBounceLedger, PostgreSqlBounceLedger>();
        services.TryAddSingleton<ISenderLeaseStore, PostgreSqlSenderLeaseStore>();
        services.TryAddSingleton<ISenderSlots, PostgreSqlSenderSlots>();
        services.TryAddSingleton<IScheduleRecord, PostgreSqlScheduleRecord>();
        services.TryAddSingleton<IStoreIdentity, PostgreSqlStoreIdentity>();
        services.TryAddSingleton<ISignups, PostgreSqlSignups>();
        return services;
    }

    /// <summary>Every port on the LiteDB file; <paramref name="readOnly"/> for commands that only read (see <see cref="LiteDbStore"/>).</summary>
    public static IServiceCollection AddLiteDbStore(this IServiceCollection services, bool readOnly = false)
    {
        services.Replace(ServiceDescriptor.Singleton(sp => new LiteDbStore(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Store.Path, readOnly,
            sp.GetService<ILoggerFactory>()?.CreateLogger("Digest.Storage"))));
        services.TryAddSingleton<LiteDbSuppressions>();
        services.TryAddSingleton<LiteDbDeliveryLedger>();
        services.TryAddSingleton<IComparisonStore, LiteDbComparisonStore>();
        services.TryAddSingleton<IEditionStore, LiteDbEditionStore>();
        services.TryAddSingleton<IDeliveryLedger>(sp => sp.GetRequiredService<LiteDbDeliveryLedger>());
        services.TryAddSingleton<ISuppressions>(sp => sp.GetRequiredService<LiteDbSuppressions>());
        services.TryAddSingleton<IBounceLedger, LiteDbBounceLedger>();
        services.TryAddSingleton<ISenderLeaseStore, LiteDbSenderLeaseStore>();
        // One file, one sender: the one slot is the exclusive, fenced sender lease.
        services.TryAddSingleton<ISenderSlots>(sp => sp.GetRequiredService<SenderLease>());
        services.TryAddSingleton<IScheduleRecord, LiteDbScheduleRecord>();
        services.TryAddSingleton<IStoreIdentity, LiteDbStoreIdentity>();
        services.TryAddSingleton<ISignups, LiteDbSignups>();
        return services;
    }
}
