using Digest.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="ISenderLeaseStore"/> does: one record, taken, renewed and released atomically, with a token that only grows.</summary>
public abstract class SenderLeaseStoreContract : StoreContract
{
    private LeaseRecord Record(string holder, long token, DateTime expiresAt) => new()
    {
        Holder = holder, Token = token, ExpiresAt = expiresAt, Machine = "machine", ProcessId = 0,
    };

    [SkippableFact]
    public void The_lease_is_taken_with_a_token_that_grows_on_every_take_and_survives_a_release()
    {
        using var services = Services();
        var leases = services.GetRequiredService<ISenderLeaseStore>();
        Assert.Null(leases.Current());

        var first = leases.TryTake(_ => false, token => Record("first", token, Now.AddMinutes(1)));
        Assert.Equal(new LeaseTake(true, 1, null), first);
        Assert.Equal("first", leases.Current()!.Holder);

        var refused = leases.TryTake(_ => false, token => Record("second", token, Now.AddMinutes(1)));
        Assert.False(refused.Taken);
        Assert.Equal("first", refused.Previous!.Holder);
        Assert.Equal("first", leases.Current()!.Holder);

        leases.Release("first", 1);
        Assert.True(string.IsNullOrEmpty(leases.Current()!.Holder));
        Assert.Equal(1, leases.Current()!.Token);

        var second = leases.TryTake(current => string.IsNullOrEmpty(current.Holder), token => Record("second", token, Now.AddMinutes(1)));
        Assert.True(second.Taken);
        Assert.Equal(2, second.Token);
        Assert.Equal(2, leases.Current()!.Token);
    }

    [SkippableFact]
    public void Only_the_current_holder_with_the_current_token_renews_or_releases_the_lease()
    {
        using var services = Services();
        var leases = services.GetRequiredService<ISenderLeaseStore>();
        leases.TryTake(_ => true, token => Record("first", token, Now.AddMinutes(1)));
        // A take-over: the first holder was paused past its lease.
        leases.TryTake(_ => true, token => Record("second", token, Now.AddMinutes(1)));

        Assert.False(leases.TryRenew(Record("first", 1, Now.AddMinutes(2))));
        Assert.False(leases.TryRenew(Record("second", 1, Now.AddMinutes(2))));
        leases.Release("first", 1);
        Assert.Equal("second", leases.Current()!.Holder);

        Assert.True(leases.TryRenew(Record("second", 2, Now.AddMinutes(2))));
        Assert.Equal(Now.AddMinutes(2), leases.Current()!.ExpiresAt, TimeSpan.FromSeconds(1));
    }

    [SkippableFact]
    public void A_second_sender_on_the_same_store_is_refused_until_the_first_gives_the_lease_up()
    {
        using var one = Services();
        using var two = Services();

        using (var held = one.GetRequiredService<SenderLease>().TryAcquire(out _))
        {
            Assert.NotNull(held);
            Assert.Null(two.GetRequiredService<SenderLease>().TryAcquire(out var heldBy));
            Assert.Contains($"pid {Environment.ProcessId}", heldBy);
            Assert.True(held.IsHeld);
        }

        using var next = two.GetRequiredService<SenderLease>().TryAcquire(out _);
        Assert.NotNull(next);
        Assert.Equal(2, next.Token);
    }
}
