using Digest.Input;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// The subscriber list as the admin's file has it now. The file is read afresh for every edition, so edits
/// need no restart; a bad edit is reported and the last good list stays in force.
/// </summary>
public sealed class SubscriberSource(IOptions<DigestOptions> options, ILogger<SubscriberSource> log)
{
    private IReadOnlyList<Subscriber>? _lastGood;

    public string Path => options.Value.Subscribers.Path;

    /// <summary>The current list; throws <see cref="InvalidInputException"/> only if no good list was ever read.</summary>
    public IReadOnlyList<Subscriber> Current()
    {
        try
        {
            var list = SubscriberFile.Load(Path);
            lock (this) _lastGood = list;
            return list;
        }
        catch (InvalidInputException e)
        {
            IReadOnlyList<Subscriber>? lastGood;
            lock (this) lastGood = _lastGood;
            if (lastGood is null) throw;
            log.LogError("The subscriber file has errors; keeping the last good list of {Count}:{NewLine}{Errors}", lastGood.Count, Environment.NewLine, e.Message);
            return lastGood;
        }
    }
}
