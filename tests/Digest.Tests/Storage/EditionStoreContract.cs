using Digest.Editions;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="IEditionStore"/> does.</summary>
public abstract class EditionStoreContract : StoreContract
{
    [SkippableFact]
    public void Editions_are_found_by_number_newest_first_and_the_unfinished_ones_oldest_first()
    {
        using var services = Services();
        var editions = services.GetRequiredService<IEditionStore>();
        Assert.Null(editions.Latest());
        Assert.Null(editions.Unfinished());

        var c = Comparison("c1", Now.AddDays(-1));
        for (var n = 1; n <= 4; n++)
        {
            var edition = Edition(n, c);
            if (n is 1 or 3) edition.CompletedAt = Now;
            editions.Save(edition);
        }

        Assert.Equal(4, editions.Latest()!.Number);
        Assert.Equal(2, editions.Unfinished()!.Number);
        Assert.Equal([2, 4], editions.Open().Select(e => e.Number));
        Assert.Equal([4, 3], editions.Recent(2).Select(e => e.Number));
        Assert.Equal("c1", editions.Find(3)!.Comparisons.Single().Slug);
        Assert.Null(editions.Find(5));

        var second = editions.Find(2)!;
        second.CompletedAt = Now;
        editions.Save(second);
        Assert.Equal(4, editions.Unfinished()!.Number);
    }
}
