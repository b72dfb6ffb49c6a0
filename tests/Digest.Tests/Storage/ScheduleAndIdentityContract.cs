using Digest.Messages;
using Digest.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Storage;

/// <summary>What every <see cref="IScheduleRecord"/> and <see cref="IStoreIdentity"/> does.</summary>
public abstract class ScheduleAndIdentityContract : StoreContract
{
    [SkippableFact]
    public void The_schedule_remembers_its_last_fire_for_the_next_process()
    {
        using (var services = Services())
        {
            Assert.Null(services.GetRequiredService<IScheduleRecord>().LastFire());
            services.GetRequiredService<IScheduleRecord>().Fired(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(1)));
        }
        using var next = Services();
        Assert.Equal(new DateTime(2026, 3, 2, 7, 0, 0, DateTimeKind.Utc), next.GetRequiredService<IScheduleRecord>().LastFire());
    }

    [SkippableFact]
    public void Of_two_claims_of_one_missed_run_only_the_first_records_it_and_an_older_fire_never_moves_it_back()
    {
        using var services = Services();
        var record = services.GetRequiredService<IScheduleRecord>();
        var monday = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

        Assert.True(record.Claim(monday.AddDays(-7)));
        Assert.True(record.Claim(monday));
        Assert.False(record.Claim(monday));
        Assert.False(record.Claim(monday.AddDays(-7)));
        Assert.Equal(monday.UtcDateTime, record.LastFire());
    }

    [SkippableFact]
    public void The_store_has_one_random_id_that_every_process_reads_the_same()
    {
        string id;
        using (var services = Services()) id = services.GetRequiredService<IStoreIdentity>().Id;
        using var next = Services();

        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.Equal(id, next.GetRequiredService<IStoreIdentity>().Id);
    }
}
