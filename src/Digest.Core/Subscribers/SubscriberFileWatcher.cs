using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Digest.Subscribers;

/// <summary>
/// Notices edits to the subscriber file while the worker runs, so a bad edit is reported when it is made,
/// not at the next send. It polls the file's size and write time rather than using FileSystemWatcher,
/// which misses changes on bind mounts and network shares; and it reloads only once the file has stayed
/// the same for a whole interval, so a save still in progress is not read half-written.
/// </summary>
public sealed class SubscriberFileWatcher(SubscriberSource source, TimeProvider clock, ILogger<SubscriberFileWatcher> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Stamp();
        source.Reload();
        var pending = false;
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Stamp();
            if (now != seen)
            {
                seen = now;
                pending = true;
                if (now is null) log.LogWarning(SubscriberEvents.SubscribersFileGone, "The subscriber file {Path} is gone; the last good list stays in force", source.Path);
                continue;
            }
            if (!pending || now is null) continue;
            pending = false;
            source.Reload();
        }
    }

    private (DateTime, long)? Stamp()
    {
        var file = new FileInfo(source.Path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : null;
    }
}
