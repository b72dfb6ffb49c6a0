namespace Digest.Subscribers;

/// <summary>
/// Refuses to plan an edition for a subscriber list that suddenly has no reader, or far fewer than the last
/// edition had: an emptied or half-written file, a wrong path or an export gone wrong would otherwise use up
/// the week's comparisons on nobody, for good.
/// </summary>
public static class ListShrinkGuard
{
    /// <param name="previous">Recipients of the previous edition (its whole plan), or null for the first edition.</param>
    public static void Check(int edition, string path, int listed, int reachable, int? previous, SubscribersOptions options, bool allowEmpty)
    {
        if (allowEmpty || options.AllowEmpty) return;
        const string how = "If that is meant, run `digest send-now --allow-empty` (the worker: set Digest:Subscribers:AllowEmpty=true for one run).";
        if (reachable == 0)
            throw new SubscriberListShrankException(
                $"Not planning edition {edition}: the subscriber list {path} leaves nobody to send it to ({listed} subscribers, "
                + $"{listed - reachable} of them suppressed{(previous is { } p ? $"; edition {edition - 1} had {p} recipients" : "")}). "
                + $"The comparisons wait for the next edition. {how}");
        if (previous is { } before && before > 0 && listed < before * (1 - options.MaxShrink))
            throw new SubscriberListShrankException(
                $"Not planning edition {edition}: the subscriber list {path} has {listed} subscribers, {1 - (double)listed / before:P0} fewer than "
                + $"the {before} recipients of edition {edition - 1}, more than Digest:Subscribers:MaxShrink ({options.MaxShrink:P0}) allows. "
                + $"The comparisons wait for the next edition. {how}");
    }
}

/// <summary>The subscriber list emptied or shrank past Digest:Subscribers:MaxShrink; nothing was planned.</summary>
public sealed class SubscriberListShrankException(string message) : Exception(message);
