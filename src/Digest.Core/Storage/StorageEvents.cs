using Microsoft.Extensions.Logging;

namespace Digest.Storage;

/// <summary>
/// Event ids of the log lines about the store: schema versions and backups.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class StorageEvents
{
    /// <summary>A LiteDB store is migrated one step to a newer schema version.</summary>
    public static readonly EventId StoreMigrating = new(6000, nameof(StoreMigrating));

    /// <summary>A migration step failed; the store stays at the version it reached.</summary>
    public static readonly EventId StoreMigrationFailed = new(6001, nameof(StoreMigrationFailed));

    /// <summary>A LiteDB store made before schema versions was stamped with one.</summary>
    public static readonly EventId StoreStamped = new(6002, nameof(StoreStamped));

    /// <summary>The PostgreSQL tables were migrated to a newer schema version.</summary>
    public static readonly EventId PostgreSqlMigrated = new(6003, nameof(PostgreSqlMigrated));

    /// <summary><c>digest backup</c> wrote a copy of the store.</summary>
    public static readonly EventId StoreBackedUp = new(6004, nameof(StoreBackedUp));
}
