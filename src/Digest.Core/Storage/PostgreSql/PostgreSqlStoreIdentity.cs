using Digest.Messages;

namespace Digest.Storage.PostgreSql;

/// <summary>The store's random id: made by whichever worker asks first, read by all.</summary>
public sealed class PostgreSqlStoreIdentity : IStoreIdentity
{
    private readonly Lazy<string> _id;

    public PostgreSqlStoreIdentity(PostgreSqlStore store) => _id = new(() =>
    {
        var candidate = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        store.Execute("INSERT INTO store_identity (id, store_id, created_at) VALUES ('store', $1, now()) ON CONFLICT (id) DO NOTHING", candidate);
        return store.Query("SELECT store_id FROM store_identity WHERE id = 'store'", r => r.GetString(0)).Single();
    });

    public string Id => _id.Value;
}
