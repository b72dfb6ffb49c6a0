using Digest.Editions;

namespace Digest.Worker.Cli;

/// <summary>What is queued for the next edition, as `status` and `send-now --dry-run` print it.</summary>
public static class QueueReport
{
    public static async Task WriteAsync(TextWriter output, ComparisonQueue queue)
    {
        var n = queue.Next.Count;
        await output.WriteLineAsync(n == 0
            ? "Queued for the next edition: nothing (no comparison published by now that has not been sent)"
            : $"Queued for the next edition: {n} comparison{(n == 1 ? "" : "s")}, newest first:");
        foreach (var c in queue.Next) await output.WriteLineAsync($"  {c.PublishedAt:yyyy-MM-dd}  {c.Title}");
        if (queue.Waiting > n)
            await output.WriteLineAsync($"  ({queue.Waiting - n} more wait for a later edition: Digest:Edition:MaxComparisons)");
        if (queue.Stale > 0)
            await output.WriteLineAsync($"  ({queue.Stale} never sent but older than Digest:Edition:MaxAge: they will not go out)");
    }
}
