using System.Buffers.Binary;
using LiteDB;

namespace Digest.Storage.LiteDb;

/// <summary>
/// Checks an existing store file before Digest uses it, through a read-only connection so a damaged file is
/// never written. LiteDB opens a file whose header page was overwritten as an empty database (and would then
/// write to it), and a truncated or garbled file only fails on the first read that reaches the bad page: a
/// send planned on top of that would go to every reader again, unsubscribed ones included. A store written by a
/// newer Digest is refused here too, before anything can write to it.
/// </summary>
internal static class StoreIntegrity
{
    private const int PageSize = 8192;
    // LiteDB 5's header page: the id of the last page of the data file, a uint32 at byte 64 (HeaderPage.P_LAST_PAGE_ID).
    private const int LastPageIdOffset = 64;

    /// <summary>Every store Digest has opened for writing has these: they are made, with their indexes, on every open.</summary>
    private static readonly string[] Required = ["comparisons", "deliveries", "bounces"];

    /// <summary>Throws <see cref="StoreDamagedException"/> when the file is not a whole, readable Digest store.</summary>
    public static void Check(string path, BsonMapper mapper)
    {
        CheckLength(path);
        try
        {
            using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Shared, ReadOnly = true }, mapper);
            // Before the other checks: a newer Digest's store may hold what this build would take for damage.
            LiteDbSchema.CheckNotNewer(db, path, LiteDbSchema.Current);
            var names = db.GetCollectionNames().ToHashSet(StringComparer.Ordinal);
            var missing = Required.Where(r => !names.Contains(r)).ToList();
            if (missing.Count > 0)
                throw new StoreDamagedException(path, names.Count == 0
                    ? "it reads back as an empty database although the file is not new: its header page was overwritten"
                    : $"collections every Digest store has are missing ({string.Join(", ", missing)})");
            ReadAll(db);
        }
        catch (Exception e) when (e is not (StoreDamagedException or StoreTooNewException or IOException or UnauthorizedAccessException))
        {
            // LiteDB reports a garbled page as a LiteException, or as whatever decoding its bytes threw.
            throw new StoreDamagedException(path, e.Message, e);
        }
    }

    private static void CheckLength(string path)
    {
        var header = new byte[LastPageIdOffset + 4];
        long length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            length = file.Length;
            file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        var expected = ((long)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(LastPageIdOffset)) + 1) * PageSize;
        if (length < expected)
            throw new StoreDamagedException(path, $"it is {length:N0} bytes but its header says {expected:N0}: it was cut short");
    }

    /// <summary>
    /// Walks every index of every collection and reads the documents it points to, except the delivery
    /// ledger's secondary indexes: the ledger grows by a list's length every edition, and its documents are
    /// read as each edition is sent.
    /// </summary>
    private static void ReadAll(LiteDatabase db)
    {
        var indexes = db.GetCollection("$indexes").FindAll()
            .Select(i => (Collection: i["collection"].AsString, Name: i["name"].AsString))
            .ToList();
        foreach (var (collection, name) in indexes)
        {
            if (collection == "deliveries")
            {
                if (name == "_id") _ = db.GetCollection(collection).Count();
                continue;
            }
            foreach (var _ in db.GetCollection(collection).Find(Query.All(name))) { }
        }
    }
}
