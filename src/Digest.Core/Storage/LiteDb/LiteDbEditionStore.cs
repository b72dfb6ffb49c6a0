using Digest.Editions;

namespace Digest.Storage.LiteDb;

/// <summary>Editions in the LiteDB file, keyed by number.</summary>
public sealed class LiteDbEditionStore(LiteDbStore store) : IEditionStore
{
    public Edition? Latest() => store.Editions.Query().OrderByDescending(e => e.Number).FirstOrDefault();

    public Edition? Find(int number) => store.Editions.FindById(number);

    /// <summary>The oldest edition whose deliveries are not all settled: it must be finished before a new one starts.</summary>
    public Edition? Unfinished() => store.Editions.Query().Where(e => e.CompletedAt == null).OrderBy(e => e.Number).FirstOrDefault();

    /// <summary>Every edition not yet complete, oldest first: one may still have readers planned, the others only deferred readers.</summary>
    public IReadOnlyList<Edition> Open() => store.Editions.Query().Where(e => e.CompletedAt == null).OrderBy(e => e.Number).ToList();

    public IReadOnlyList<Edition> Recent(int count) =>
        store.Editions.Query().OrderByDescending(e => e.Number).Limit(count).ToList();

    public void Save(Edition edition) => store.Editions.Upsert(edition);
}
