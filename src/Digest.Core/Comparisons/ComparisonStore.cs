using Digest.Storage;

namespace Digest.Comparisons;

/// <summary>Comparisons in the store, keyed by slug.</summary>
public sealed class ComparisonStore(DigestStore store)
{
    /// <summary>Inserts or replaces each comparison by slug, all in one transaction.</summary>
    public int Upsert(IReadOnlyCollection<Comparison> comparisons) =>
        store.InTransaction(() =>
        {
            foreach (var c in comparisons) store.Comparisons.Upsert(c);
            return comparisons.Count;
        });

    public Comparison? Find(string slug) => store.Comparisons.FindById(slug);

    public int Count() => store.Comparisons.Count();

    /// <summary>Published after <paramref name="after"/> (exclusive) and at or before <paramref name="until"/>, newest first.</summary>
    public IReadOnlyList<Comparison> PublishedBetween(DateTime after, DateTime until, int limit) =>
        store.Comparisons.Query()
            .Where(c => c.PublishedAt > after && c.PublishedAt <= until)
            .OrderByDescending(c => c.PublishedAt)
            .Limit(limit)
            .ToList();

    public int CountPublishedBetween(DateTime after, DateTime until) =>
        store.Comparisons.Count(c => c.PublishedAt > after && c.PublishedAt <= until);
}
