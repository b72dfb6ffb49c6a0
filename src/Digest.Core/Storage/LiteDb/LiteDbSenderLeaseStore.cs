using Digest.Ledger;

namespace Digest.Storage.LiteDb;

/// <summary>The sender lease as one document; each step is one LiteDB transaction, which the file's lock makes atomic across processes.</summary>
public sealed class LiteDbSenderLeaseStore(LiteDbStore store) : ISenderLeaseStore
{
    private const string Id = "sender";

    public LeaseTake TryTake(Func<LeaseRecord, bool> canTake, Func<long, LeaseRecord> take) => store.InTransaction(() =>
    {
        var current = store.Leases.FindById(Id);
        if (current is not null && !canTake(current)) return new LeaseTake(false, current.Token, current);
        var token = (current?.Token ?? 0) + 1;
        var record = take(token);
        record.Id = Id;
        record.Token = token;
        store.Leases.Upsert(record);
        return new LeaseTake(true, token, current);
    });

    public bool TryRenew(LeaseRecord renewed) => store.InTransaction(() =>
    {
        var current = store.Leases.FindById(Id);
        if (current is null || current.Holder != renewed.Holder || current.Token != renewed.Token) return false;
        renewed.Id = Id;
        store.Leases.Update(renewed);
        return true;
    });

    public void Release(string holder, long token) => store.InTransaction(() =>
    {
        var current = store.Leases.FindById(Id);
        if (current?.Holder != holder || current.Token != token) return;
        current.Holder = "";
        current.ExpiresAt = DateTime.MinValue;
        store.Leases.Update(current);
    });

    public LeaseRecord? Current() => store.Leases.FindById(Id);
}
