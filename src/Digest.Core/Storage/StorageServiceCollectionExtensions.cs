using Digest.Bounces;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Scheduling;
using Digest.Storage.LiteDb;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Digest.Storage;

/// <summary>Registration of the store: the one place that chooses which implementation serves the pipeline's ports.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The store behind every port the pipeline declares (comparisons, editions, delivery ledger, suppressions,
    /// bounces, sender lease, schedule record, store identity). LiteDB, one file at Digest:Store:Path, is the default.
    /// <paramref name="readOnly"/>: for commands that only read (status, suppressions); any write fails.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services, bool readOnly = false) => services.AddLiteDbStore(readOnly);

    /// <summary>Every port on the LiteDB file; <paramref name="readOnly"/> for commands that only read (see <see cref="LiteDbStore"/>).</summary>
    public static IServiceCollection AddLiteDbStore(this IServiceCollection services, bool readOnly = false)
    {
        services.Replace(ServiceDescriptor.Singleton(sp => new LiteDbStore(sp.GetRequiredService<IOptions<DigestOptions>>().Value.Store.Path, readOnly)));
        services.TryAddSingleton<LiteDbSuppressions>();
        services.TryAddSingleton<LiteDbDeliveryLedger>();
        services.TryAddSingleton<IComparisonStore, LiteDbComparisonStore>();
        services.TryAddSingleton<IEditionStore, LiteDbEditionStore>();
        services.TryAddSingleton<IDeliveryLedger>(sp => sp.GetRequiredService<LiteDbDeliveryLedger>());
        services.TryAddSingleton<ISuppressions>(sp => sp.GetRequiredService<LiteDbSuppressions>());
        services.TryAddSingleton<IBounceLedger, LiteDbBounceLedger>();
        services.TryAddSingleton<ISenderLeaseStore, LiteDbSenderLeaseStore>();
        services.TryAddSingleton<IScheduleRecord, LiteDbScheduleRecord>();
        services.TryAddSingleton<IStoreIdentity, LiteDbStoreIdentity>();
        return services;
    }
}
