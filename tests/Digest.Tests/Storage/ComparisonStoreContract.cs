using Digest.Comparisons;
using Digest.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="IComparisonStore"/> does.</summary>
public abstract class ComparisonStoreContract : StoreContract
{
    [SkippableFact]
    public void Waiting_comparisons_are_the_unsent_ones_in_the_window_newest_first_up_to_the_limit()
    {
        using var services = Services();
        var comparisons = services.GetRequiredService<IComparisonStore>();
        comparisons.Upsert([
            Comparison("old", Now.AddDays(-40)), Comparison("a", Now.AddDays(-3)), Comparison("b", Now.AddDays(-2)),
            Comparison("c", Now.AddDays(-1)), Comparison("future", Now.AddDays(1)),
        ]);
        services.GetRequiredService<IDeliveryLedger>().Plan(Edition(1, comparisons.Find("b")!), []);

        Assert.Equal(["c", "a"], comparisons.Waiting(Now, Now.AddDays(-30), 5).Select(c => c.Slug));
        Assert.Equal(["c"], comparisons.Waiting(Now, Now.AddDays(-30), 1).Select(c => c.Slug));
        Assert.Equal(2, comparisons.CountWaiting(Now, Now.AddDays(-30)));
        Assert.Equal(1, comparisons.CountStale(Now.AddDays(-30)));
        Assert.Equal(5, comparisons.Count());
    }

    [SkippableFact]
    public void Importing_a_comparison_again_replaces_it_but_keeps_the_edition_it_went_out_in()
    {
        using var services = Services();
        var comparisons = services.GetRequiredService<IComparisonStore>();
        comparisons.Upsert([Comparison("c1", Now.AddDays(-1))]);
        services.GetRequiredService<IDeliveryLedger>().Plan(Edition(1, comparisons.Find("c1")!), []);

        var fixedTypo = Comparison("c1", Now.AddDays(-1));
        fixedTypo.Title = "Fixed title";
        Assert.Equal(1, comparisons.Upsert([fixedTypo]));

        Assert.Equal(("Fixed title", 1), (comparisons.Find("c1")!.Title, comparisons.Find("c1")!.EditionNumber));
        Assert.Empty(comparisons.Waiting(Now, DateTime.MinValue, 5));
    }

    [SkippableFact]
    public void An_imported_file_is_remembered_by_path_with_its_hash()
    {
        using var services = Services();
        var comparisons = services.GetRequiredService<IComparisonStore>();
        Assert.Null(comparisons.FindImported("/import/a.json"));

        comparisons.SaveImported(new ImportedFile { Path = "/import/a.json", Sha256 = "AA", ImportedAt = Now });
        comparisons.SaveImported(new ImportedFile { Path = "/import/a.json", Sha256 = "BB", ImportedAt = Now });

        Assert.Equal("BB", comparisons.FindImported("/import/a.json")!.Sha256);
        Assert.Null(comparisons.FindImported("/import/b.json"));
    }
}
