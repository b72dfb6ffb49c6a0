using Digest.Comparisons;

namespace Digest.Storage.LiteDb;

/// <summary>Comparisons in the LiteDB file, keyed by slug, and the import folder's record.</summary>
public sealed class LiteDbComparisonStore(LiteDbStore store) : IComparisonStore
{
    /// <summary>
    /// Inserts or replaces each comparison by slug, all in one transaction. A comparison that already went
    /// out keeps its edition: fixing a typo and importing the file again must not send it a second time.
    /// </summary>
    public int Upsert(IReadOnlyCollection<Comparison> comparisons) =>
        store.InTransaction(() =>
        {
            foreach (var c in comparisons)
            {
                c.EditionNumber = store.Comparisons.FindById(c.Slug)?.EditionNumber;
                store.Comparisons.Upsert(c);
            }
            return comparisons.Count;
        });

    public Comparison? Find(string slug) => store.Comparisons.FindById(slug);

    public int Count() => store.Comparisons.Count();

    public IReadOnlyList<string> Categories() =>
        [.. store.Comparisons.FindAll().SelectMany(c => c.Tools.Select(t => t.Category))
            .Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>
    /// Comparisons not yet in any edition, published at or before <paramref name="until"/> and not before
    /// <paramref name="notBefore"/>, newest first.
    /// </summary>
    public IReadOnlyList<Comparison> Waiting(DateTime until, DateTime notBefore, int limit) =>
        store.Comparisons.Query()
            .Where(c => c.EditionNumber == null && c.PublishedAt <= until && c.PublishedAt >= notBefore)
            .OrderByDescending(c => c.PublishedAt)
            .Limit(limit)
            .ToList();

    public int CountWaiting(DateTime until, DateTime notBefore) =>
        store.Comparisons.Count(c => c.EditionNumber == null && c.PublishedAt <= until && c.PublishedAt >= notBefore);

    /// <summary>Waiting comparisons older than <paramref name="notBefore"/>: too old for Digest:Edition:MaxAge.</summary>
    public int CountStale(DateTime notBefore) =>
        store.Comparisons.Count(c => c.EditionNumber == null && c.PublishedAt < notBefore);

    /// <summary>
    /// A store made before comparisons carried their edition: marks every comparison that is in a stored
    /// edition, once. Cheap when there is nothing to do (it looks at the latest edition only), because every
    /// edition planned since is marked as it is stored.
    /// </summary>
    public void MarkEarlierEditions()
    {
        var latest = store.Editions.Query().OrderByDescending(e => e.Number).FirstOrDefault();
        if (latest is null || latest.Comparisons.All(c => store.Comparisons.FindById(c.Slug) is not { EditionNumber: null })) return;
        store.InTransaction(() =>
        {
            foreach (var edition in store.Editions.Query().OrderBy(e => e.Number).ToEnumerable())
                MarkIn(edition.Number, edition.Comparisons.Select(c => c.Slug));
        });
    }

    /// <summary>Records that these comparisons went out in <paramref name="edition"/>; call inside the transaction that stores the edition.</summary>
    public void MarkIn(int edition, IEnumerable<string> slugs)
    {
        foreach (var slug in slugs)
            if (store.Comparisons.FindById(slug) is { EditionNumber: null } c)
            {
                c.EditionNumber = edition;
                store.Comparisons.Update(c);
            }
    }

    public ImportedFile? FindImported(string path) => store.ImportedFiles.FindById(path);

    public void SaveImported(ImportedFile file) => store.ImportedFiles.Upsert(file);
}
