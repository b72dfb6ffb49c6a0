namespace Digest.Comparisons;

/// <summary>Comparisons in the store, keyed by slug, and the record of which import-folder files were imported.</summary>
public interface IComparisonStore
{
    /// <summary>
    /// Inserts or replaces each comparison by slug, all in one transaction. A comparison that already went out
    /// keeps its edition (<see cref="Comparison.EditionNumber"/>): importing a fixed file again must not send it twice.
    /// </summary>
    /// <returns>How many were stored.</returns>
    int Upsert(IReadOnlyCollection<Comparison> comparisons);

    Comparison? Find(string slug);

    int Count();

    /// <summary>The categories of every stored comparison's tools, each once (ignoring case), sorted: what readers may choose on signup.</summary>
    IReadOnlyList<string> Categories();

    /// <summary>Comparisons in no edition yet, published at or before <paramref name="until"/> and not before <paramref name="notBefore"/>, newest first, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<Comparison> Waiting(DateTime until, DateTime notBefore, int limit);

    int CountWaiting(DateTime until, DateTime notBefore);

    /// <summary>Comparisons in no edition yet published before <paramref name="notBefore"/>: too old for Digest:Edition:MaxAge.</summary>
    int CountStale(DateTime notBefore);

    /// <summary>A store made before comparisons carried their edition: marks every comparison that is in a stored edition, once; cheap when there is nothing to do.</summary>
    void MarkEarlierEditions();

    /// <summary>The import-folder file at this full path as it was last imported, or null.</summary>
    ImportedFile? FindImported(string path);

    /// <summary>Records that the file was imported with this content (inserted or replaced by path).</summary>
    void SaveImported(ImportedFile file);
}
