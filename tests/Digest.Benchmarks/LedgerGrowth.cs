using System.Diagnostics;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Storage.LiteDb;

namespace Digest.Benchmarks;

/// <summary>
/// How big the store gets: simulated weekly editions through the real ledger code (plan every reader, record
/// each as the dispatcher does after the relay accepted it, complete the edition, fold what is older than
/// Digest:Ledger:KeepEditions), printing the store file's size as it goes. Not a timing benchmark.
/// <code>dotnet run -c Release --project tests/Digest.Benchmarks -- ledger-size [--readers 10000] [--editions 60] [--keep 12]</code>
/// <c>--keep 0</c> keeps every record (the behaviour before folding). <c>--backup</c>: at the end, times
/// <c>digest backup</c> of the store that was built (how long other processes wait for it).
/// </summary>
public static class LedgerGrowth
{
    public static int Run(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
        var readers = Arg("--readers", 10_000);
        var editions = Arg("--editions", 60);
        var keep = Arg("--keep", 12);
        var folder = Directory.CreateTempSubdirectory("digest-ledger-size-").FullName;
        var path = Path.Combine(folder, "digest.db");
        try
        {
            Console.WriteLine($"Store size after weekly editions of {readers:N0} readers, Digest:Ledger:KeepEditions {(keep == 0 ? "off (every record kept)" : keep)}");
            Console.WriteLine();
            Console.WriteLine("| editions | store file | per edition kept |");
            Console.WriteLine("|---|---|---|");
            var clock = new SimulatedWeeks(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
            var watch = Stopwatch.StartNew();
            for (var n = 1; n <= editions; n++)
            {
                // A store per edition, as each run of the worker opens it: sizes are what the next process finds.
                using (var store = new LiteDbStore(path))
                    Week(store, clock, n, readers, keep);
                clock.Advance(TimeSpan.FromDays(7));
                if (n % 6 == 0 || n == editions || n <= 2)
                {
                    var bytes = new FileInfo(path).Length;
                    var kept = keep == 0 ? n : Math.Min(n, keep);
                    Console.WriteLine($"| {n} | {bytes / 1e6:0.0} MB | {bytes / 1e6 / kept:0.00} MB |");
                }
            }
            Console.WriteLine();
            if (args.Contains("--backup")) TimeBackup(path);
            Console.WriteLine($"({watch.Elapsed.TotalSeconds:0} s; the store at {path} was deleted)");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void TimeBackup(string path)
    {
        using var store = new LiteDbStore(path);
        var watch = Stopwatch.StartNew();
        var backup = LiteDbBackup.Copy(store, path + ".backup", overwrite: false);
        Console.WriteLine($"backup of {backup.Bytes / 1e6:0.0} MB ({backup.Deliveries:N0} deliveries): the store was locked {backup.Locked.TotalMilliseconds:0} ms, "
                          + $"{watch.Elapsed.TotalMilliseconds:0} ms in all (fold the log in, check, fsync, move)");
    }

    private static void Week(LiteDbStore store, SimulatedWeeks clock, int number, int readers, int keep)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ledger = new LiteDbDeliveryLedger(store, clock);
        var comparison = SampleComparison(number, now);
        new LiteDbComparisonStore(store).Upsert([comparison]);
        var edition = new Edition { Number = number, CutOff = now, CreatedAt = now, Comparisons = [comparison] };
        var plan = Enumerable.Range(0, readers).Select(i => new Digest.Ledger.DeliveryRecord
        {
            Id = Digest.Ledger.DeliveryRecord.IdFor(number, i),
            Edition = number,
            Email = $"reader{i}@example{i % 97}.com",
            Key = $"reader{i}@example{i % 97}.com",
            Name = $"Reader Number{i}",
            Categories = i % 3 == 0 ? ["Developer Tools"] : [],
            DueAt = now,
            MessageId = $"digest.{number}.{i:x8}{Guid.NewGuid():N}@weekly-verdicts.example.com",
            State = DeliveryState.Planned,
        });
        ledger.Plan(edition, plan);
        // As the dispatcher records them: accepted by the relay, in group-commit batches.
        foreach (var batch in ledger.ForEdition(number).Chunk(1000))
        {
            foreach (var d in batch)
            {
                d.State = DeliveryState.Sent;
                d.Attempts = 1;
                d.Runs = 1;
                d.Relay = "primary";
                d.LastReply = $"250 2.0.0 Ok: queued as {Guid.NewGuid():N}"[..40];
            }
            ledger.Record(batch);
        }
        edition.CompletedAt = now;
        new LiteDbEditionStore(store).Save(edition);
        if (keep > 0) ledger.Fold(keep);
    }

    private static Comparison SampleComparison(int number, DateTime publishedAt) => new()
    {
        Slug = $"week-{number}",
        Title = $"Week {number}: two tools compared",
        Question = "Which one should you ship with?",
        Url = $"https://verdicts.example.com/compare/week-{number}",
        PublishedAt = publishedAt.AddHours(-1),
        Tools =
        [
            new Tool { Name = "Alpha", Category = "Developer Tools", Tagline = "Does one thing well", PanelShip = 80, Entry = "Free", Summary = new string('a', 300) },
            new Tool { Name = "Beta", Category = "Developer Tools", Tagline = "Does another thing well", PanelShip = 60, Entry = "Paid", Summary = new string('b', 300) },
        ],
    };

    /// <summary>A clock that moves a week at a time.</summary>
    private sealed class SimulatedWeeks(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
