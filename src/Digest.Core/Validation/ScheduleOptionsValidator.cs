using Quartz;

namespace Digest.Validation;

public sealed class ScheduleOptionsValidator : SectionValidator<ScheduleOptions>
{
    protected override IEnumerable<(string, ScheduleOptions)> Sections(DigestOptions o) => [("Digest:Schedule", o.Schedule)];

    protected override void Check(string key, ScheduleOptions s, List<string> errors)
    {
        if (!CronExpression.TryParse(s.QuartzCron, out _))
            errors.Add($"{key}:Cron is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week) or 5-field Unix cron, was \"{s.Cron}\"{(UnixCron.IsUnix(s.Cron) ? $" (read as \"{s.QuartzCron}\")" : "")}.");
        if (!DigestOptionsValidator.TryFindTimeZone(s.TimeZone, out _))
            errors.Add($"{key}:TimeZone is not a known IANA time zone, was \"{s.TimeZone}\".");
        if (!string.IsNullOrWhiteSpace(s.LocalTime) && s.LocalTimeOfDay is null)
            errors.Add($"{key}:LocalTime must be a time of day such as 09:00, was \"{s.LocalTime}\".");
        // Below a second the check-ins are database load for nothing; past ten minutes a dead worker's run waits two of them.
        if (s.CheckinInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{key}:CheckinInterval must be at least 00:00:01, was {s.CheckinInterval}.");
        AtMost($"{key}:CheckinInterval", s.CheckinInterval, TimeSpan.FromMinutes(10), errors);
    }
}
