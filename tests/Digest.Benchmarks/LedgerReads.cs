using System.Diagnostics;
using Digest.Editions;
using Digest.Ledger;
using Digest.Storage.LiteDb;

namespace Digest.Benchmarks;

/// <summary>
/// What one whole-edition read of the LiteDB ledger costs (time and the process's peak resident memory), on a
/// store holding one edition of N readers, all sent but every 1,000th bounced, as an edition looks when it ends.
/// <code>
/// dotnet run -c Release --project tests/Digest.Benchmarks -- ledger-reads --store /tmp/reads.db --readers 1000000 --build
/// dotnet run -c Release --project tests/Digest.Benchmarks -- ledger-reads --store /tmp/reads.db --read bounced
/// </code>
/// Reads: count, due, bounced, waiting, sent-by-relay, any-planned. Run one read per process: the peak (VmHWM) is
/// the process's whole life.
/// </summary>
public static class LedgerReads
{
    public static int Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var path = Arg("--store") ?? throw new ArgumentException("ledger-reads needs --store PATH");
        var now = new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc);
        using var store = new LiteDbStore(path);
        var ledger = new LiteDbDeliveryLedger(store, TimeProvider.System);
        if (args.Contains("--build"))
        {
            Build(ledger, int.Parse(Arg("--readers") ?? "100000"), now);
            return 0;
        }
        var read = Arg("--read") ?? "count";
        GC.Collect();
        var before = PeakKb();
        var watch = Stopwatch.StartNew();
        object result = read switch
        {
            "count" => ledger.Count(1).Total,
            "due" => ledger.Due(1, now),
            "bounced" => ledger.Bounced(1).Count,
            "waiting" => ledger.Waiting(1, now).Count,
            "sent-by-relay" => ledger.SentByRelay(1).Values.Sum(),
            "any-planned" => ledger.AnyPlanned(1),
            _ => throw new ArgumentException($"unknown read '{read}'"),
        };
        watch.Stop();
        Console.WriteLine($"{read}: {result} in {watch.Elapsed.TotalMilliseconds:0} ms; peak RSS {before / 1024} MB before, {PeakKb() / 1024} MB after");
        return 0;
    }

    private static void Build(LiteDbDeliveryLedger ledger, int readers, DateTime now)
    {
        var edition = new Edition { Number = 1, CutOff = now, CreatedAt = now };
        ledger.Plan(edition, Enumerable.Range(0, readers).Select(i => new DeliveryRecord
        {
            Id = DeliveryRecord.IdFor(1, i),
            Edition = 1,
            Email = $"reader{i}@example{i % 97}.com",
            Key = $"reader{i}@example{i % 97}.com",
            Name = $"Reader Number{i}",
            DueAt = now,
            MessageId = $"digest.1.{i:x8}@weekly-verdicts.example.com",
            State = DeliveryState.Planned,
        }));
        foreach (var batch in ledger.ForEdition(1).Chunk(2000))
        {
            foreach (var d in batch)
            {
                d.State = d.Id % 1000 == 0 ? DeliveryState.Bounced : DeliveryState.Sent;
                d.Relay = "primary";
                d.LastReply = "250 2.0.0 Ok: queued";
            }
            ledger.Record(batch);
        }
        Console.WriteLine($"built: {readers:N0} readers, {ledger.Count(1)}");
    }

    private static long PeakKb() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).Single();
}
