using Digest.Subscribers;

namespace Digest.Storage.LiteDb;

/// <summary>Confirmed signups and confirmation-mail counts in the LiteDB file, keyed by lower-cased address.</summary>
public sealed class LiteDbSignups(LiteDbStore store) : ISignups
{
    public void Save(SignedUpReader reader)
    {
        reader.Key = reader.Email.ToLowerInvariant();
        store.Signups.Upsert(reader);
    }

    public IReadOnlyList<SignedUpReader> All() => store.Signups.Query().OrderBy(r => r.Key).ToList();

    // One transaction: the shared-mode mutex keeps another process's count out between the read and the write.
    public bool TryCountConfirmationMail(string email, DateTime at, int max, TimeSpan window) => store.InTransaction(() =>
    {
        var key = email.ToLowerInvariant();
        var count = store.ConfirmationMails.FindById(key);
        if (count is null || count.WindowStart <= at - window)
            count = new ConfirmationMailCount { Key = key, WindowStart = at, Count = 0 };
        if (count.Count >= max) return false;
        count.Count++;
        store.ConfirmationMails.Upsert(count);
        return true;
    });
}
