using System.Globalization;
using Digest.Storage;
using Digest.Storage.PostgreSql;
using Quartz;

namespace Digest.Worker.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// The weekly schedule: Quartz with one cron trigger in the configured time zone, plus catch-up. On the PostgreSQL
    /// store the schedule lives in that database (Quartz's clustered job store), so of all the workers sharing it
    /// exactly one fires each run; on LiteDB it is kept in memory by the one worker.
    /// </summary>
    public static IServiceCollection AddSchedule(this IServiceCollection services, IConfiguration configuration)
    {
        var schedule = configuration.GetSection($"{DigestOptions.Section}:Schedule").Get<ScheduleOptions>() ?? new ScheduleOptions();
        var shared = StorageServiceCollectionExtensions.ProviderIn(configuration) == StoreProvider.PostgreSql;
        services.AddSingleton<ScheduleLog>();
        services.AddTransient<DigestJob>();
        services.AddQuartz(q =>
        {
            if (shared) q.UsePersistentStore(store => UseSharedStore(store, configuration));
            q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably().WithDescription("Sends the weekly digest"));
            // An invalid cron or zone is reported by option validation before the scheduler starts; fall back so it can.
            var cron = CronExpression.TryParse(schedule.QuartzCron, out _) ? schedule.QuartzCron : new ScheduleOptions().Cron;
            DigestOptionsValidator.TryFindTimeZone(schedule.TimeZone, out var zone);
            // FireAndProceed: a run a dead node had taken is recovered after its fire time and must still fire, once.
            // Runs missed while no worker was up are not Quartz's to catch up (every start reschedules the trigger from
            // now, so a changed cron takes effect): CatchUp does that from the store's record of the last fire.
            q.AddTrigger(t => t
                .ForJob(DigestJob.Key)
                .WithIdentity("weekly-digest-trigger", "digest")
                .WithCronSchedule(cron, c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            // Readers wait in the ledger for their local morning, and deferred readers for their backoff (5 minutes
            // at least); the tick sends whoever is due: each minute with local-time delivery, else every 5 minutes.
            var tick = string.IsNullOrWhiteSpace(schedule.LocalTime) ? "0 0/5 * * * ?" : "0 * * * * ?";
            q.AddTrigger(t => t
                .ForJob(DigestJob.Key)
                .WithIdentity(DigestJob.LocalTimeTick)
                .WithCronSchedule(tick, c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<ScheduleNode>();
        services.AddHostedService<CatchUp>();
        services.AddHostedService<Heartbeat>();
        services.AddHostedService<EditionJoining>();
        return services;
    }

    /// <summary>
    /// Quartz's clustered ADO.NET job store on the store's own database: its connections come from the store's data
    /// source, so the password is read in one place (Digest:Store:PasswordFile or PGPASSWORD) and never handed to
    /// Quartz as text. The qrtz_ tables are made by the store's migration; Quartz only checks them.
    /// </summary>
    private static void UseSharedStore(IPersistentStoreBuilder store, IConfiguration configuration)
    {
        // Bound by hand: a value that is not a duration is reported by option validation, naming the key.
        var checkin = TimeSpan.TryParse(configuration[$"{DigestOptions.Section}:Schedule:CheckinInterval"], CultureInfo.InvariantCulture, out var interval)
            ? interval
            : new ScheduleOptions().CheckinInterval;
        store.UsePostgres(source => source.DataSourceFactory = services => services.GetRequiredService<PostgreSqlStore>().DataSource);
        store.UseSystemTextJsonSerializer();
        store.UseClustering(cluster =>
        {
            cluster.CheckinInterval = checkin;
            // Written off after two silent intervals: a pause (a GC, a busy host) shorter than one is not a death.
            cluster.CheckinMisfireThreshold = checkin;
        });
    }
}
