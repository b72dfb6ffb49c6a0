using System.Diagnostics;
using Digest.Input;
using LiteDB;

namespace Digest.Storage.LiteDb;

/// <summary>What `backup` wrote: the file, its size, what it holds, and how long other processes waited for it.</summary>
public sealed record StoreBackup(string Path, long Bytes, int Editions, int Deliveries, TimeSpan Locked);

/// <summary>
/// A whole copy of a LiteDB store, taken while a worker sends from it. LiteDB 5 has no online backup, and a copy
/// of the data file alone misses what is still in its -log file (LiteDB issue #2791). In shared mode every process
/// touches the file only while it holds LiteDB's named mutex, and an explicit transaction keeps that mutex until
/// it ends; so the data file and its log are copied inside a transaction, where no process can change either, and
/// a sender waits only for the length of a file copy. The copy's log is then folded into it (a checkpoint) in a
/// file of its own, the copy is checked as any store is on opening, and only then takes the backup's name: a
/// backup file is whole or absent, never half written.
/// </summary>
public static class LiteDbBackup
{
    public static StoreBackup Copy(LiteDbStore store, string target, bool overwrite)
    {
        var full = System.IO.Path.GetFullPath(target);
        if (string.Equals(full, System.IO.Path.GetFullPath(store.Path), StringComparison.Ordinal))
            throw Refused(target, "it is the store itself (Digest:Store:Path); name another file");
        if (Directory.Exists(full)) throw Refused(target, "it is a folder; name the backup file");
        if (File.Exists(full) && !overwrite) throw Refused(target, "the file exists; give --force to replace it");
        var folder = System.IO.Path.GetDirectoryName(full)!;
        PrivateFiles.CreateFolder(folder);
        // Hidden and unique: a half-made copy is never mistaken for a backup, and two backups at once do not collide.
        var draft = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            var locked = Stopwatch.StartNew();
            store.InTransaction(() =>
            {
                CopyFile(store.Path, draft);
                var log = LiteDbStore.LogFile(store.Path);
                if (new FileInfo(log) is { Exists: true, Length: > 0 }) CopyFile(log, LiteDbStore.LogFile(draft));
            });
            locked.Stop();
            using (var db = new LiteDatabase(new ConnectionString { Filename = draft, Connection = ConnectionType.Direct }, LiteDbStore.CreateMapper()))
                db.Checkpoint();
            int editions, deliveries;
            // Opening runs the checks every store gets (header, length, collections, every document outside the ledger).
            using (var copy = new LiteDbStore(draft, readOnly: true))
            {
                editions = copy.Editions.Count();
                deliveries = copy.Deliveries.Count();
            }
            // On the disk before it has the backup's name: a crash right after the move must not leave a hole in it.
            using (var written = new FileStream(draft, FileMode.Open, FileAccess.ReadWrite)) written.Flush(flushToDisk: true);
            File.Move(draft, full, overwrite);
            return new StoreBackup(full, new FileInfo(full).Length, editions, deliveries, locked.Elapsed);
        }
        finally
        {
            File.Delete(draft);
            File.Delete(LiteDbStore.LogFile(draft));
        }
    }

    /// <summary>Copies a file with its contents' privacy: the backup holds every reader's address, as the store does.</summary>
    private static void CopyFile(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = PrivateFiles.OpenWrite(to, FileMode.CreateNew);
        source.CopyTo(copy);
    }

    private static InvalidInputException Refused(string target, string why) =>
        new(new InputError(target, 0, "", $"not backed up: {why}"));
}
