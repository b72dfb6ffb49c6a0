using System.Diagnostics;
using System.Text;
using Digest.Subscribers;

namespace Digest.Benchmarks;

/// <summary>
/// What reading the subscriber file costs on its own, for the memory figures in docs/benchmarks.md: writes a file
/// of N readers (as end-to-end.sh does: an address and a name each), loads it with <see cref="SubscriberFile"/>,
/// and prints the time, the process's peak resident memory and the managed heap with the list still held, then
/// what keeping it as the worker's last good list costs (compressed size, time to load with it and to read back), and
/// how long putting it in the plan's order takes (<see cref="SubscriberList.InAddressOrder"/>).
/// <code>dotnet run -c Release --project tests/Digest.Benchmarks -- subscriber-load [--readers 1000000 | --file subscribers.json]</code>
/// Run one size per process: the peak (VmHWM) is the process's whole life.
/// </summary>
public static class SubscriberLoad
{
    public static int Run(string[] args)
    {
        var at = Array.IndexOf(args, "--readers");
        var readers = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : 100_000;
        var given = Array.IndexOf(args, "--file");
        var file = given >= 0 && given + 1 < args.Length ? args[given + 1] : Path.Combine(Path.GetTempPath(), $"digest-subscribers-{Environment.ProcessId}.json");
        try
        {
            if (given < 0) Write(file, readers);
            GC.Collect();
            var before = Status("VmRSS");
            var watch = Stopwatch.StartNew();
            var list = SubscriberFile.Load(file);
            watch.Stop();
            var peak = Status("VmHWM");
            var held = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"{list.Count} readers ({new FileInfo(file).Length / 1048576.0:0.0} MB file) loaded in {watch.ElapsedMilliseconds} ms; " +
                $"resident before {before} MB, peak {peak} MB; managed heap with the list held {held / 1048576} MB");
            // What the worker does instead (SubscriberSource): the same, keeping the file's bytes compressed as they pass.
            watch.Restart();
            var (_, lastGood) = LastGoodList.Load(file);
            var packing = watch.ElapsedMilliseconds;
            watch.Restart();
            var again = lastGood.Read();
            Console.WriteLine($"kept as the last good list: {lastGood.Size / 1048576.0:0.0} MB, loaded with it in {packing} ms; read back ({again.Count} readers) in {watch.ElapsedMilliseconds} ms");
            watch.Restart();
            var ordered = list.InAddressOrder();
            var sorting = watch.ElapsedMilliseconds;
            // Every reader made once, as the plan and the list-shrink check each do: in the file's order, then in the plan's.
            watch.Restart();
            var inFile = list.Count(s => s.Key.Length > 0);
            var fileOrder = watch.ElapsedMilliseconds;
            watch.Restart();
            var inPlan = ordered.Count(s => s.Key.Length > 0);
            Console.WriteLine($"put in address order (the plan's order) in {sorting} ms; every reader read once in the file's order in {fileOrder} ms, " +
                $"in address order in {watch.ElapsedMilliseconds} ms ({inFile} and {inPlan} readers)");
            GC.KeepAlive(list);
            return 0;
        }
        finally
        {
            if (given < 0) File.Delete(file);
        }
    }

    private static void Write(string file, int readers)
    {
        using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
        writer.WriteLine("{ \"subscribers\": [");
        for (var i = 1; i <= readers; i++)
            writer.WriteLine($"  {{ \"email\": \"r.{i}@example.com\", \"name\": \"Reader {i}\" }}{(i < readers ? "," : "")}");
        writer.WriteLine("] }");
    }

    /// <summary>A line of /proc/self/status in MB (Linux).</summary>
    private static long Status(string field) =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).FirstOrDefault();
}
