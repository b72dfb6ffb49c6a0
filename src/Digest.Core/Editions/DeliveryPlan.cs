using Digest.Ledger;
using Digest.Messages;
using Digest.Subscribers;

namespace Digest.Editions;

/// <summary>Who gets an edition: one delivery per subscriber, skipped where suppressed or where nothing matches.</summary>
public static class DeliveryPlan
{
    /// <summary>Lazily, so a long list is planned straight into the store without a second copy in memory.</summary>
    public static IEnumerable<Digest.Ledger.DeliveryRecord> For(Edition edition, IReadOnlyList<Subscriber> subscribers,
        IReadOnlySet<string> suppressed, MessageBuilder builder, ScheduleOptions schedule)
    {
        var categories = edition.Comparisons.SelectMany(c => c.Categories).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        for (var i = 0; i < subscribers.Count; i++)
        {
            var s = subscribers[i];
            var delivery = new Digest.Ledger.DeliveryRecord
            {
                Id = Digest.Ledger.DeliveryRecord.IdFor(edition.Number, i),
                Edition = edition.Number,
                Email = s.Email,
                Key = s.Key,
                Name = s.Name,
                Categories = s.Categories.ToList(),
                TimeZone = s.TimeZone,
                DueAt = LocalMorning.DueAt(edition, s.TimeZone, schedule),
                MessageId = builder.MessageIdFor(edition.Number, i, s.Email),
                State = DeliveryState.Planned,
            };
            if (suppressed.Contains(s.Key))
            {
                delivery.State = DeliveryState.Skipped;
                delivery.LastReply = "suppressed (unsubscribed or bounced)";
            }
            else if (!s.Follows(categories))
            {
                delivery.State = DeliveryState.Skipped;
                delivery.LastReply = $"no comparison in their categories ({string.Join(", ", s.Categories)})";
            }
            yield return delivery;
        }
    }
}
