using Digest.Comparisons;
using Digest.Editions;
using Digest.Ledger;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Storage;

/// <summary>
/// The base of every port's behaviour tests: each test gets a fresh, empty store of the implementation under test,
/// so the same sentences hold for LiteDB and for every other store (one subclass per store and port).
/// </summary>
public abstract class StoreContract : WorkspaceTest
{
    private bool _configured;

    protected FakeTimeProvider Clock { get; } = TestWorkspace.ClockAt("2026-03-02T09:00:00Z");

    protected DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <summary>Points <paramref name="workspace"/>'s settings at an empty store of the implementation under test.</summary>
    protected abstract void UseStore(TestWorkspace workspace);

    /// <summary>The pipeline's services on the store under test; two calls are two processes' views of one store.</summary>
    protected ServiceProvider Services()
    {
        if (!_configured)
        {
            UseStore(Ws);
            _configured = true;
        }
        return Ws.Services(Clock);
    }

    protected static Comparison Comparison(string slug, DateTime publishedAt) => new()
    {
        Slug = slug,
        Title = $"Title of {slug}",
        Question = "Which one?",
        Url = $"https://example.com/{slug}",
        PublishedAt = publishedAt,
        Tools = [new Tool { Name = "A", Category = "Developer Tools" }, new Tool { Name = "B", Category = "Developer Tools" }],
    };

    protected Edition Edition(int number, params Comparison[] comparisons) => new()
    {
        Number = number,
        CutOff = Now,
        CreatedAt = Now,
        Comparisons = comparisons.ToList(),
    };

    protected DeliveryRecord Reader(int edition, int position, string email, DeliveryState state = DeliveryState.Planned, DateTime? dueAt = null, string? zone = null) => new()
    {
        Id = DeliveryRecord.IdFor(edition, position),
        Edition = edition,
        Email = email,
        Key = email.ToLowerInvariant(),
        Name = $"Reader {position}",
        State = state,
        DueAt = dueAt ?? Now,
        TimeZone = zone,
        MessageId = $"digest.{edition}.{position}@example.com",
    };
}
