using Digest.Bounces;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Subscribers;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Digest.Storage.LiteDb;

/// <summary>
/// The embedded LiteDB file that holds comparisons, editions, the delivery ledger and suppressions: the default
/// store, one file and nothing to install. The LiteDb* classes beside it implement the pipeline's ports on it.
/// Opened in shared mode: LiteDB then guards the file with a named mutex, so the worker and an admin's
/// `status` or `import` in another process can use it at once (direct mode lets two processes corrupt it).
/// </summary>
public sealed class LiteDbStore : IDisposable
{
    private readonly LiteDatabase _db;

    public string Path { get; }

    /// <summary>Opened for reading only: any write fails.</summary>
    public bool IsReadOnly { get; }

    /// <param name="readOnly">
    /// For commands that only read (status, suppressions): LiteDB is opened read-only, so not even a damaged
    /// page it stumbles on later can make it write. A store that does not exist yet is still created.
    /// </param>
    /// <param name="log">Where a migration of an older store is reported.</param>
    public LiteDbStore(string path, bool readOnly = false, ILogger? log = null)
    {
        Path = path;
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) PrivateFiles.CreateFolder(folder);
        try
        {
            CheckHeader(path);
            var mapper = CreateMapper();
            var existing = new FileInfo(path) is { Exists: true, Length: > 0 };
            if (existing) StoreIntegrity.Check(path, mapper);
            else CreateWhole(path, mapper);
            IsReadOnly = readOnly && existing;
            _db = new LiteDatabase(new ConnectionString
            {
                Filename = path,
                Connection = ConnectionType.Shared,
                ReadOnly = IsReadOnly,
            }, mapper)
            {
                // Dates are read back in UTC; LiteDB's default turns them into local time.
                UtcDate = true,
            };
            if (!IsReadOnly)
            {
                // Reading commands leave an older store as it is; the first command that writes migrates it.
                LiteDbSchema.Migrate(_db, path, log);
                EnsureIndexes();
                // LiteDB creates its files itself, with the umask's mode: close them up as soon as they exist.
                PrivateFiles.Restrict(path);
                PrivateFiles.Restrict(LogFile(path));
            }
        }
        catch (Exception e) when (e is LiteException or IOException or InvalidCastException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(path, e);
        }
    }

    public ILiteCollection<Comparison> Comparisons => _db.GetCollection<Comparison>("comparisons");
    public ILiteCollection<Edition> Editions => _db.GetCollection<Edition>("editions");
    public ILiteCollection<Digest.Ledger.DeliveryRecord> Deliveries => _db.GetCollection<Digest.Ledger.DeliveryRecord>("deliveries");
    public ILiteCollection<Suppression> Suppressions => _db.GetCollection<Suppression>("suppressions");
    public ILiteCollection<ImportedFile> ImportedFiles => _db.GetCollection<ImportedFile>("imported_files");
    public ILiteCollection<LeaseRecord> Leases => _db.GetCollection<LeaseRecord>("leases");
    public ILiteCollection<ScheduleRecord> Schedule => _db.GetCollection<ScheduleRecord>("schedule");
    public ILiteCollection<BounceRecord> Bounces => _db.GetCollection<BounceRecord>("bounces");
    public ILiteCollection<StoreIdentity> Identity => _db.GetCollection<StoreIdentity>("identity");
    public ILiteCollection<SignedUpReader> Signups => _db.GetCollection<SignedUpReader>("signups");
    public ILiteCollection<ConfirmationMailCount> ConfirmationMails => _db.GetCollection<ConfirmationMailCount>("signup_mails");

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction. Synchronous on purpose: a LiteDB transaction belongs
    /// to its thread, and an await inside it can lose the writes (LiteDB issue #2822).
    /// </summary>
    public T InTransaction<T>(Func<T> work)
    {
        _db.BeginTrans();
        try
        {
            var result = work();
            _db.Commit();
            return result;
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    public void InTransaction(Action work) => InTransaction(() => { work(); return 0; });

    /// <summary>
    /// Refuses a file that is not a LiteDB 5 database before LiteDB opens it: LiteDB would otherwise try to
    /// "repair" it in place and truncate whatever it was.
    /// </summary>
    private static void CheckHeader(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0) return;
        var header = new byte[64];
        using (var stream = file.OpenRead())
            stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (!System.Text.Encoding.ASCII.GetString(header, 32, 27).Equals(HeaderInfo, StringComparison.Ordinal))
            throw new LiteException(0, "it is not a LiteDB 5 database (its header is not LiteDB's)");
    }

    /// <summary>LiteDB 5's write-ahead log beside the data file: <c>digest-log.db</c> for <c>digest.db</c>.</summary>
    internal static string LogFile(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "",
            System.IO.Path.GetFileNameWithoutExtension(path) + "-log" + System.IO.Path.GetExtension(path));

    // LiteDB 5's header page: this text at byte 32 (HeaderPage.HEADER_INFO).
    private const string HeaderInfo = "** This is a LiteDB file **";

    private void EnsureIndexes() => EnsureIndexes(_db);

    private static void EnsureIndexes(LiteDatabase db)
    {
        db.GetCollection<Comparison>("comparisons").EnsureIndex(c => c.PublishedAt);
        db.GetCollection<Comparison>("comparisons").EnsureIndex(c => c.EditionNumber);
        db.GetCollection<DeliveryRecord>("deliveries").EnsureIndex(d => d.Key);
        // A bounce that quotes only the original's Message-ID is matched by the edition and position in it, not by an
        // index (LiteDbDeliveryLedger.FindByMessageId). A store an older build made has one, which every plan would
        // still write: let go of it. Derived data only, so an older build given this store makes it again.
        db.GetCollection<DeliveryRecord>("deliveries").DropIndex(nameof(DeliveryRecord.MessageId));
        db.GetCollection<BounceRecord>("bounces").EnsureIndex(b => b.Email);
        db.GetCollection<BounceRecord>("bounces").EnsureIndex(b => b.Edition);
        // A send in progress asks every second for what was suppressed since it last looked.
        db.GetCollection<Suppression>("suppressions").EnsureIndex(s => s.At);
    }

    /// <summary>
    /// Makes a new store whole (every collection and index) in a file of its own and only then moves it to
    /// <paramref name="path"/>: a process opening the store at the same moment sees either no file or a whole
    /// one, never LiteDB's half-made file, which the integrity check would rightly call damaged.
    /// </summary>
    private static void CreateWhole(string path, BsonMapper mapper)
    {
        var draft = $"{path}.new-{Guid.NewGuid():N}";
        try
        {
            using (var db = new LiteDatabase(new ConnectionString { Filename = draft, Connection = ConnectionType.Direct }, mapper))
            {
                EnsureIndexes(db);
                db.UserVersion = LiteDbSchema.Current;
            }
            PrivateFiles.Restrict(draft);
            // An empty file left by someone's `touch` holds nothing: the whole store replaces it.
            var empty = new FileInfo(path) is { Exists: true, Length: 0 };
            File.Move(draft, path, overwrite: empty);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process put its new store there first: that one is used.
        }
        finally
        {
            File.Delete(draft);
            File.Delete(LogFile(draft));
        }
    }

    internal static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper { EnumAsInteger = false };
        mapper.Entity<Comparison>().Id(c => c.Slug, autoId: false).Ignore(c => c.Categories);
        mapper.Entity<Edition>().Id(e => e.Number, autoId: false);
        mapper.Entity<Digest.Ledger.DeliveryRecord>().Id(d => d.Id, autoId: false);
        mapper.Entity<Suppression>().Id(s => s.Email, autoId: false);
        mapper.Entity<ImportedFile>().Id(f => f.Path, autoId: false);
        mapper.Entity<BounceRecord>().Id(b => b.Id, autoId: false);
        mapper.Entity<StoreIdentity>().Id(i => i.Id, autoId: false);
        mapper.Entity<SignedUpReader>().Id(r => r.Key, autoId: false);
        mapper.Entity<ConfirmationMailCount>().Id(c => c.Key, autoId: false);
        return mapper;
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>The one record that names this store.</summary>
public sealed class StoreIdentity
{
    public const string Key = "store";
    public string Id { get; set; } = Key;
    public string StoreId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>When the schedule last fired, so a worker that was down can catch up once.</summary>
public sealed class ScheduleRecord
{
    public string Id { get; set; } = "schedule";
    public DateTime LastFireAt { get; set; }
}
