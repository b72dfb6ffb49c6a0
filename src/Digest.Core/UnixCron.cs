using System.Text.RegularExpressions;

namespace Digest;

/// <summary>
/// Reads a 5-field Unix cron (<c>0 9 * * MON</c>, what most admins write) as the Quartz cron it means:
/// Quartz wants seconds first, a <c>?</c> in one of the two day fields, and numbers days 1-7 from Sunday
/// where Unix numbers them 0-7 from Sunday.
/// </summary>
public static partial class UnixCron
{
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

    /// <summary>The Quartz form of <paramref name="cron"/>; anything but five fields is returned as it is.</summary>
    public static string ToQuartz(string cron)
    {
        var fields = (cron ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return cron ?? "";
        var (minute, hour, dayOfMonth, month, dayOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        // Only bare day numbers are renamed: a step such as */2 counts days, not names them.
        dayOfWeek = DayNumber().Replace(dayOfWeek, m => int.Parse(m.Value) is var n and <= 7 ? Days[n] : m.Value);
        if (dayOfWeek == "*") dayOfWeek = "?";
        else if (dayOfMonth == "*") dayOfMonth = "?";
        return $"0 {minute} {hour} {dayOfMonth} {month} {dayOfWeek}";
    }

    public static bool IsUnix(string cron) => ToQuartz(cron) != cron;

    [GeneratedRegex(@"(?<![/\d])\d+")]
    private static partial Regex DayNumber();
}
