namespace Digest.Editions;

/// <summary>The editions in the store, keyed by number.</summary>
public interface IEditionStore
{
    /// <summary>The edition with the highest number, or null.</summary>
    Edition? Latest();

    Edition? Find(int number);

    /// <summary>The oldest edition not complete (<see cref="Edition.CompletedAt"/> null), or null.</summary>
    Edition? Unfinished();

    /// <summary>Every edition not yet complete, oldest first: one may still have readers planned, the others only deferred readers.</summary>
    IReadOnlyList<Edition> Open();

    /// <summary>The newest <paramref name="count"/> editions, newest first.</summary>
    IReadOnlyList<Edition> Recent(int count);

    /// <summary>Inserts or replaces the edition by number.</summary>
    void Save(Edition edition);
}
