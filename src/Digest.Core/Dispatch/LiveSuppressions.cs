using System.Collections.Concurrent;

namespace Digest.Dispatch;

/// <summary>
/// The suppression list as a dispatch sees it: read whole when the edition starts sending, then topped up with
/// what was added since (an unsubscribe from the listener or another process, a bounce, a complaint) while it
/// sends, so a reader who unsubscribes mid-edition is not sent it seconds later.
/// </summary>
internal sealed class LiveSuppressions(IEnumerable<string> addresses)
{
    private readonly ConcurrentDictionary<string, byte> _addresses = new(addresses.Select(a => KeyValuePair.Create(a, (byte)0)), StringComparer.Ordinal);

    public bool Contains(string key) => _addresses.ContainsKey(key);

    /// <summary>Returns how many of <paramref name="keys"/> were not known yet.</summary>
    public int Add(IEnumerable<string> keys) => keys.Count(k => _addresses.TryAdd(k, 0));
}
