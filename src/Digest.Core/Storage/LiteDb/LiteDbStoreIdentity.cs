using Digest.Messages;
using LiteDB;

namespace Digest.Storage.LiteDb;

/// <summary>The store's random id, made with the first Message-ID asked of it and kept in the file.</summary>
public sealed class LiteDbStoreIdentity(LiteDbStore store) : IStoreIdentity
{
    private readonly Lazy<string> _id = new(() => LoadOrCreate(store));

    public string Id => _id.Value;

    private static string LoadOrCreate(LiteDbStore store)
    {
        if (store.Identity.FindById(StoreIdentity.Key) is { } known) return known.StoreId;
        try
        {
            store.Identity.Insert(new StoreIdentity { StoreId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)), CreatedAt = DateTime.UtcNow });
        }
        catch (LiteException e) when (e.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            // Another process made it first; its id is the one.
        }
        return store.Identity.FindById(StoreIdentity.Key).StoreId;
    }
}
