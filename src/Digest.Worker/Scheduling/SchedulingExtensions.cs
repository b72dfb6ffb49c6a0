using Quartz;

namespace Digest.Worker.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>The weekly schedule: Quartz with one cron trigger in the configured time zone, plus catch-up.</summary>
    public static IServiceCollection AddSchedule(this IServiceCollection services, IConfiguration configuration)
    {
        var schedule = configuration.GetSection($"{DigestOptions.Section}:Schedule").Get<ScheduleOptions>() ?? new ScheduleOptions();
        services.AddSingleton<ScheduleLog>();
        services.AddTransient<DigestJob>();
        services.AddQuartz(q =>
        {
            q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably().WithDescription("Sends the weekly digest"));
            // An invalid cron or zone is reported by option validation before the scheduler starts; fall back so it can.
            var cron = CronExpression.TryParse(schedule.QuartzCron, out _) ? schedule.QuartzCron : new ScheduleOptions().Cron;
            DigestOptionsValidator.TryFindTimeZone(schedule.TimeZone, out var zone);
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
        services.AddHostedService<CatchUp>();
        services.AddHostedService<Heartbeat>();
        services.AddHostedService<EditionJoining>();
        return services;
    }
}
