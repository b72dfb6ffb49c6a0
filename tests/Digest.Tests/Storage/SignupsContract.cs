using Digest.Comparisons;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="ISignups"/> does (and the categories readers choose among, from <see cref="IComparisonStore"/>).</summary>
public abstract class SignupsContract : StoreContract
{
    [SkippableFact]
    public void A_confirmed_reader_is_stored_once_whatever_the_case_and_a_second_confirmation_replaces_their_choices()
    {
        using var services = Services();
        var signups = services.GetRequiredService<ISignups>();

        signups.Save(Reader("Lin@Example.org", "Lin Wu", ["Developer Tools"]));
        Clock.Advance(TimeSpan.FromMinutes(5));
        signups.Save(Reader("lin@example.org", null, ["Agents", "IDEs"]));
        signups.Save(Reader("ada@example.com", "Ada", []));

        Assert.Equal(["ada@example.com", "lin@example.org"], signups.All().Select(r => r.Key));
        var lin = signups.All()[1];
        Assert.Equal(("lin@example.org", null, "Agents|IDEs"), (lin.Email, lin.Name, string.Join('|', lin.Categories)));
        Assert.Equal(Now, lin.ConfirmedAt, TimeSpan.FromMilliseconds(1));
        var ada = signups.All()[0].ToSubscriber();
        Assert.Equal(("ada@example.com", "Ada", 0), (ada.Email, ada.Name, ada.Categories.Count));
    }

    [SkippableFact]
    public void Confirmation_mails_to_an_address_are_counted_up_to_the_limit_in_its_window_whatever_the_case()
    {
        using var services = Services();
        var signups = services.GetRequiredService<ISignups>();
        var day = TimeSpan.FromDays(1);

        Assert.True(signups.TryCountConfirmationMail("lin@example.org", Now, 2, day));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(signups.TryCountConfirmationMail("LIN@example.org", Now, 2, day));
        Assert.False(signups.TryCountConfirmationMail("lin@example.org", Now, 2, day));
        Assert.True(signups.TryCountConfirmationMail("kim@example.org", Now, 2, day));

        // The window began with the first mail: a day after it, the address may get mail again.
        Clock.Advance(TimeSpan.FromHours(23));
        Assert.True(signups.TryCountConfirmationMail("lin@example.org", Now, 2, day));
        Assert.True(signups.TryCountConfirmationMail("lin@example.org", Now, 2, day));
        Assert.False(signups.TryCountConfirmationMail("lin@example.org", Now, 2, day));
    }

    [SkippableFact]
    public void Two_processes_counting_one_address_at_once_send_no_more_than_the_limit()
    {
        using var first = Services();
        using var second = Services();
        var stores = new[] { first.GetRequiredService<ISignups>(), second.GetRequiredService<ISignups>() };

        var allowed = 0;
        Parallel.For(0, 40, i =>
        {
            if (stores[i % 2].TryCountConfirmationMail("lin@example.org", Now, 3, TimeSpan.FromDays(1))) Interlocked.Increment(ref allowed);
        });

        Assert.Equal(3, allowed);
    }

    [SkippableFact]
    public void The_categories_readers_choose_among_are_those_of_the_stored_comparisons_each_once()
    {
        using var services = Services();
        var comparisons = services.GetRequiredService<IComparisonStore>();
        Assert.Empty(comparisons.Categories());
        var agents = Comparison("b", Now);
        agents.Tools = [new Tool { Name = "A", Category = "Agents" }, new Tool { Name = "B", Category = "developer tools" }];
        comparisons.Upsert([Comparison("a", Now), agents]);

        Assert.Equal(["Agents", "Developer Tools"], comparisons.Categories(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(2, comparisons.Categories().Count);
    }

    private SignedUpReader Reader(string email, string? name, List<string> categories) =>
        new() { Email = email, Name = name, Categories = categories, ConfirmedAt = Now };
}
