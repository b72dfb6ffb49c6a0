namespace Digest.Editions;

/// <summary>When one reader's copy of an edition is due: their local morning on the edition's day.</summary>
public static class LocalMorning
{
    /// <summary>
    /// With Digest:Schedule:LocalTime set and a reader zone, the local time on the day the schedule fired (in
    /// the schedule's zone); a local morning that has already passed means now. Otherwise now.
    /// </summary>
    public static DateTime DueAt(Edition edition, string? readerZone, ScheduleOptions schedule)
    {
        if (schedule.LocalTimeOfDay is not { } time || readerZone is null) return edition.CutOff;
        if (!DigestOptionsValidator.TryFindTimeZone(readerZone, out var reader)) return edition.CutOff;
        DigestOptionsValidator.TryFindTimeZone(schedule.TimeZone, out var scheduleZone);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(edition.CutOff, scheduleZone));
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        // A local time that a clock change skips (spring forward) does not exist: take the hour after.
        if (reader.IsInvalidTime(local)) local = local.AddHours(1);
        var due = TimeZoneInfo.ConvertTimeToUtc(local, reader);
        return due < edition.CutOff ? edition.CutOff : due;
    }
}
