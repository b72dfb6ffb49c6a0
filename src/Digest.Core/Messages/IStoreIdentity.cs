namespace Digest.Messages;

/// <summary>
/// A random id of the store, made once and kept in it: Message-IDs carry it, so a fresh store, a staging
/// install or another list never gives a reader the same Message-ID twice.
/// </summary>
public interface IStoreIdentity
{
    /// <summary>16 lower-case hex digits; the same for every process using the store.</summary>
    string Id { get; }
}
