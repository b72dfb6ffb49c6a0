namespace Digest.Ledger;

/// <summary>
/// How a store writes an edition's plan in parts, each its own transaction: a small first part, after which
/// <c>sendable</c> is called so sending starts at once, then large parts, as fewer transactions cost less. Finishing a
/// plan that was cut short skips the readers already stored and numbers the others after them.
/// </summary>
internal sealed class PlanParts(DateTime now, int part, Action<List<DeliveryRecord>> store, Action? sendable, CancellationToken cancellationToken)
{
    public const int FirstPart = 250;

    /// <param name="stored">The keys of the readers a plan cut short stored, or null for a new plan.</param>
    /// <param name="next">The id for the first reader added to a plan cut short.</param>
    /// <returns>How many deliveries were stored in each state.</returns>
    public IReadOnlyDictionary<DeliveryState, int> Write(IEnumerable<DeliveryRecord> deliveries, HashSet<string>? stored, long next)
    {
        var counts = new Dictionary<DeliveryState, int>();
        var records = new List<DeliveryRecord>(FirstPart);
        var size = FirstPart;
        foreach (var d in deliveries)
        {
            if (stored is not null)
            {
                if (!stored.Add(d.Key)) continue;
                d.Id = next++;
            }
            d.UpdatedAt = now;
            counts[d.State] = counts.GetValueOrDefault(d.State) + 1;
            records.Add(d);
            if (records.Count < size) continue;
            Store(records);
            size = part;
        }
        Store(records);
        return counts;
    }

    private void Store(List<DeliveryRecord> records)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0) return;
        store(records);
        records.Clear();
        Sendable();
    }

    /// <summary>Calls sendable unless a part has: a plan with no readers is sendable once its end is stored.</summary>
    public void Sendable()
    {
        sendable?.Invoke();
        sendable = null;
    }
}
