using System.Globalization;
using System.Text;
using Digest.Ledger;

namespace Digest.Storage.LiteDb;

/// <summary>
/// An append-only file beside the store (<c>digest.db.journal</c>) where each outcome is made durable the
/// moment the server accepts a message, before the connection sends again. The ledger in LiteDB then takes
/// outcomes in large batches: a LiteDB commit in shared mode reopens and checkpoints the file (milliseconds),
/// an append and fdatasync here costs about a tenth of that and serves every connection at once.
/// After a crash, <see cref="Replay"/> brings the ledger up to date before anything is sent again.
/// </summary>
public sealed class OutcomeJournal(string storePath)
{
    public string Path { get; } = storePath + ".journal";

    /// <summary>Outcomes journaled but not yet in the ledger (left by a crash): (delivery id, state, relay).</summary>
    public IReadOnlyList<(long Id, DeliveryState State, string? Relay)> Read()
    {
        if (!File.Exists(Path)) return [];
        var outcomes = new List<(long, DeliveryState, string?)>();
        foreach (var line in File.ReadAllLines(Path))
        {
            // A line cut short by the crash was never acknowledged as durable: its message may go again.
            var fields = line.Split(' ');
            if (fields.Length < 3 || fields[^1] != "." || !long.TryParse(fields[0], CultureInfo.InvariantCulture, out var id)
                || !Enum.TryParse<DeliveryState>(fields[1], out var state)) continue;
            outcomes.Add((id, state, fields.Length > 3 ? Uri.UnescapeDataString(fields[2]) : null));
        }
        return outcomes;
    }

    /// <summary>Applies what a crashed run journaled to the ledger, then empties the journal.</summary>
    public int Replay(LiteDbDeliveryLedger ledger)
    {
        var outcomes = Read();
        if (outcomes.Count > 0) ledger.Recover(outcomes);
        Clear();
        return outcomes.Count;
    }

    public void Clear()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }

    public Writer Open() => new(Storage.PrivateFiles.OpenWrite(Path, FileMode.Append, FileShare.Read));

    /// <summary>Appends outcomes; <see cref="Flush"/> makes everything appended so far durable.</summary>
    public sealed class Writer(FileStream file) : IDisposable
    {
        private readonly StringBuilder _line = new();

        public void Append(DeliveryRecord d)
        {
            _line.Clear().Append(d.Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(d.State);
            // Percent-encoded: a relay's name may hold spaces, and `status` finds its cost by the exact name.
            if (d.Relay is { } relay) _line.Append(' ').Append(Uri.EscapeDataString(relay));
            _line.Append(" .\n");
            file.Write(Encoding.UTF8.GetBytes(_line.ToString()));
        }

        /// <summary>fdatasync: the outcomes survive a crash of the process or of the machine.</summary>
        public void Flush() => file.Flush(flushToDisk: true);

        /// <summary>Everything journaled is in the ledger now: start empty.</summary>
        public void Truncate()
        {
            file.SetLength(0);
            file.Flush(flushToDisk: true);
        }

        public void Dispose() => file.Dispose();
    }
}
