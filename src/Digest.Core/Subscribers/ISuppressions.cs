namespace Digest.Subscribers;

/// <summary>Unsubscribes, bounces and complaints, kept in the store, keyed by lower-cased address; they win over the subscriber file.</summary>
public interface ISuppressions
{
    /// <summary>Whether the address (any case) is suppressed.</summary>
    bool Contains(string email);

    /// <summary>All suppressed addresses, lower-cased, for filtering a whole list at once.</summary>
    HashSet<string> Addresses();

    /// <summary>Addresses suppressed at or after <paramref name="since"/>; cheap enough to ask every second while a send runs.</summary>
    IReadOnlyList<string> AddedSince(DateTime since);

    /// <summary>Every suppression, by address.</summary>
    IReadOnlyList<Suppression> All();

    /// <summary>Adds the address (lower-cased, stamped now); an existing entry keeps its first reason. False when it was already there.</summary>
    bool Add(string email, SuppressionReason reason, string? detail = null);

    /// <summary>Removes the address (any case); false when it was not there.</summary>
    bool Remove(string email);
}
