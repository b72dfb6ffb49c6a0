using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="ISuppressions"/> does.</summary>
public abstract class SuppressionsContract : StoreContract
{
    [SkippableFact]
    public void An_address_is_suppressed_once_whatever_its_case_and_keeps_its_first_reason()
    {
        using var services = Services();
        var suppressions = services.GetRequiredService<ISuppressions>();

        Assert.True(suppressions.Add("Ada@Example.com", SuppressionReason.Unsubscribed, "by link"));
        Assert.False(suppressions.Add("ada@example.com", SuppressionReason.HardBounce, "later"));

        Assert.True(suppressions.Contains("ADA@example.COM"));
        var ada = Assert.Single(suppressions.All());
        Assert.Equal(("ada@example.com", SuppressionReason.Unsubscribed, "by link"), (ada.Email, ada.Reason, ada.Detail));
        Assert.Equal(Now, ada.At, TimeSpan.FromSeconds(1));
        Assert.Equal(["ada@example.com"], suppressions.Addresses());
    }

    [SkippableFact]
    public void Suppressions_made_since_a_time_are_listed_and_a_removed_address_is_reachable_again()
    {
        using var services = Services();
        var suppressions = services.GetRequiredService<ISuppressions>();
        suppressions.Add("grace@example.com", SuppressionReason.Complaint);
        Clock.Advance(TimeSpan.FromSeconds(10));
        var since = Now;
        suppressions.Add("alan@example.com", SuppressionReason.HardBounce);
        suppressions.Add("ada@example.com", SuppressionReason.Unsubscribed);

        Assert.Equal(["ada@example.com", "alan@example.com"], suppressions.AddedSince(since).Order());
        Assert.Equal(["ada@example.com", "alan@example.com", "grace@example.com"], suppressions.All().Select(s => s.Email));

        Assert.True(suppressions.Remove("ALAN@example.com"));
        Assert.False(suppressions.Remove("alan@example.com"));
        Assert.False(suppressions.Contains("alan@example.com"));
    }
}
