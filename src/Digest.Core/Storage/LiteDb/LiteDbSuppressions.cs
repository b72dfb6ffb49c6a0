using Digest.Subscribers;

namespace Digest.Storage.LiteDb;

/// <summary>Suppressions in the LiteDB file, keyed by lower-cased address and indexed by when they were made.</summary>
public sealed class LiteDbSuppressions(LiteDbStore store, TimeProvider clock) : ISuppressions
{
    public bool Contains(string email) => store.Suppressions.FindById(email.ToLowerInvariant()) is not null;

    /// <summary>All suppressed addresses, lower-cased, for filtering a whole list at once.</summary>
    public HashSet<string> Addresses() => store.Suppressions.FindAll().Select(s => s.Email).ToHashSet(StringComparer.Ordinal);

    /// <summary>Addresses suppressed at or after <paramref name="since"/> (an index range on the time, cheap enough to ask every second).</summary>
    public IReadOnlyList<string> AddedSince(DateTime since) =>
        store.Suppressions.Query().Where(s => s.At >= since).Select(s => s.Email).ToList();

    public IReadOnlyList<Suppression> All() => store.Suppressions.Query().OrderBy(s => s.Email).ToList();

    /// <summary>Adds the address; an existing entry keeps its first reason. Returns false when it was already there.</summary>
    public bool Add(string email, SuppressionReason reason, string? detail = null)
    {
        var key = email.ToLowerInvariant();
        if (store.Suppressions.FindById(key) is not null) return false;
        store.Suppressions.Insert(new Suppression { Email = key, Reason = reason, Detail = detail, At = clock.GetUtcNow().UtcDateTime });
        return true;
    }

    public bool Remove(string email) => store.Suppressions.Delete(email.ToLowerInvariant());
}
