using System.Globalization;
using Digest.Input;
using MimeKit;

namespace Digest.Subscribers;

/// <summary>
/// Reads the admin-edited subscriber file: <c>{ "subscribers": [ { "email", "name", "categories" } ] }</c>
/// (a bare array works too), or a CSV file (<see cref="SubscriberCsv"/>) when its name ends in <c>.csv</c>.
/// Any invalid address or duplicate refuses the whole file, so a half-edited list never adds or drops anyone.
/// </summary>
public static class SubscriberFile
{
    /// <summary>
    /// The readers in the file, read as it streams from disk; every byte read is also written to
    /// <paramref name="copy"/> when one is given. Throws <see cref="InvalidInputException"/> when the file cannot be
    /// read or has errors.
    /// </summary>
    public static SubscriberList Load(string file, Stream? copy = null)
    {
        FileStream stream;
        try
        {
            // Unbuffered: the readers ask for pieces larger than a file buffer would hold.
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(new InputError(file, 0, "", $"cannot be read: {e.Message}"));
        }
        using (stream) return Parse(file, stream, copy);
    }

    /// <summary>The readers in <paramref name="stream"/>, read as the file's name says (JSON, or CSV for <c>.csv</c>).</summary>
    public static SubscriberList Parse(string file, Stream stream, Stream? copy = null)
    {
        using var text = Utf8Input.Checked(file, stream, copy);
        return IsCsv(file) ? SubscriberCsv.Parse(file, text) : SubscriberJson.Parse(file, text);
    }

    public static bool IsCsv(string file) => file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks one entry and adds it to <paramref name="list"/>: a real address, not listed before (case-insensitively;
    /// a duplicate names the entry that listed it first). Otherwise adds to <paramref name="errors"/>.
    /// </summary>
    public static void Validate(string? email, string? name, IReadOnlyList<string>? categories,
        EntryPlace place, List<InputError> errors, SubscriberList list, string? timeZone = null)
    {
        email = email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors.Add(place.At(place.EmailField, "missing"));
            return;
        }
        if (Canonical(email) is not { } canonical)
        {
            errors.Add(place.At(place.EmailField, $"\"{email}\" is not a valid email address"));
            return;
        }
        if (list.PlaceOf(canonical) is { } first)
        {
            var spelling = canonical == email ? "" : $", the same mailbox as {canonical}";
            errors.Add(place.At(place.EmailField, $"\"{email}\" is a duplicate of {(place with { Index = first }).Label} (addresses are compared ignoring case{spelling})"));
            return;
        }
        email = canonical;
        timeZone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone.Trim();
        if (timeZone is not null && !DigestOptionsValidator.TryFindTimeZone(timeZone, out _))
        {
            errors.Add(place.At(place.ZoneField, $"\"{timeZone}\" is not an IANA time zone (e.g. Europe/Berlin)"));
            return;
        }
        IReadOnlyList<string> cleaned = categories is not { Count: > 0 } ? []
            : categories.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        name = name is null ? null : ControlCharacters.Strip(name).Trim();
        list.Add(email, string.IsNullOrEmpty(name) ? null : name, cleaned, timeZone, place.Index);
    }

    /// <summary>A bare address with a local part and a dotted domain; display names and groups are not addresses here.</summary>
    public static bool IsAddress(string value) => Canonical(value) is not null;

    /// <summary>
    /// The address as Digest keys it, or null when <paramref name="value"/> is not a bare address with a local
    /// part and a dotted domain. MimeKit reads an IDN domain written in punycode (<c>xn--bcher-kva.de</c>) as
    /// Unicode (<c>bücher.de</c>): both spellings are the same mailbox, so both give the Unicode form, and
    /// one reader cannot be listed twice or escape a suppression by changing spelling. On the wire MailKit
    /// writes the domain in punycode again unless the server announces SMTPUTF8.
    /// </summary>
    public static string? Canonical(string value)
    {
        if (!MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox)
            || (mailbox.Address != value && mailbox.GetAddress(idnEncode: true) != value)
            || mailbox.LocalPart.Length == 0
            || !mailbox.Domain.Contains('.')
            || mailbox.Domain.StartsWith('.') || mailbox.Domain.EndsWith('.'))
            return null;
        if (!mailbox.Domain.Contains("xn--", StringComparison.OrdinalIgnoreCase)) return mailbox.Address;
        // MimeKit decodes only lower-case punycode; "XN--BCHER-KVA.DE" is the same domain as well.
        try
        {
            return $"{mailbox.LocalPart}@{new IdnMapping().GetUnicode(mailbox.Domain.ToLowerInvariant())}";
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// Where a subscriber entry stands in its file, turned into an error's location or a label only when something
/// is wrong: a list of a million readers makes no strings for the entries that are fine.
/// </summary>
/// <param name="Line">The entry's line where the format knows it as it reads (CSV), else 0 (JSON finds it on error).</param>
/// <param name="Index">The entry's position in the JSON array, or its line in a CSV file.</param>
/// <param name="Prefix">The JSON array's path (<c>subscribers</c>), or null for a CSV file.</param>
public readonly record struct EntryPlace(string File, int Line, int Index, string? Prefix)
{
    public bool IsCsv => Prefix is null;

    /// <summary>How another entry's error refers to this one: <c>subscribers[4]</c>, <c>line 5</c>.</summary>
    public string Label => IsCsv ? $"line {Index}" : $"{Prefix}[{Index}]";

    public string EmailField => IsCsv ? SubscriberCsv.EmailColumn : "email";
    public string ZoneField => IsCsv ? SubscriberCsv.TimeZoneColumn : "timeZone";

    public InputError At(string field, string message) =>
        IsCsv ? new InputError(File, Line, field, message) : new InputError(File, 0, $"{Label}.{field}", message);

    public static EntryPlace Csv(string file, int line) => new(file, line, line, null);
}
