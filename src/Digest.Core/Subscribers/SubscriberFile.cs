using System.Globalization;
using System.Text.Json;
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
    private sealed class Entry
    {
        public string? Email { get; set; }
        public string? Name { get; set; }
        public List<string>? Categories { get; set; }
        public string? TimeZone { get; set; }
    }

    public static IReadOnlyList<Subscriber> Load(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(new InputError(file, 0, "", $"cannot be read: {e.Message}"));
        }
        return IsCsv(file) ? SubscriberCsv.Parse(file, bytes) : Parse(file, bytes);
    }

    public static bool IsCsv(string file) => file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<Subscriber> Parse(string file, byte[] bytes)
    {
        var (document, lines) = JsonInput.Parse(file, bytes);
        using var _ = document;
        var root = document.RootElement;
        var prefix = "";
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (!root.TryGetProperty("subscribers", out root))
                throw new InvalidInputException(new InputError(file, 1, "subscribers", "missing (expected { \"subscribers\": [ … ] })"));
            prefix = "subscribers";
        }
        if (root.ValueKind != JsonValueKind.Array)
            throw new InvalidInputException(new InputError(file, lines.LineOf(prefix), prefix, "expected an array of subscribers"));

        var errors = new List<InputError>();
        var result = new List<Subscriber>();
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            var item = $"{prefix}[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new InputError(file, lines.LineOf(item), item, "expected a subscriber object"));
                continue;
            }
            if (JsonInput.Read<Entry>(element, file, item, lines, errors) is not { } entry) continue;
            var subscriber = Validate(entry.Email, entry.Name, entry.Categories,
                new InputError(file, 0, $"{item}.email", ""), item, errors, seen,
                entry.TimeZone, new InputError(file, 0, $"{item}.timeZone", ""));
            if (subscriber is not null) result.Add(subscriber);
        }
        if (errors.Count > 0) throw new InvalidInputException(JsonInput.Locate(errors, lines));
        return result;
    }

    /// <summary>
    /// Checks one entry: a real address, not seen before (case-insensitively). <paramref name="at"/> locates
    /// the address for error messages; <paramref name="label"/> is how a later duplicate refers to this entry.
    /// </summary>
    public static Subscriber? Validate(string? email, string? name, IReadOnlyList<string>? categories,
        InputError at, string label, List<InputError> errors, Dictionary<string, string> seen,
        string? timeZone = null, InputError? zoneAt = null)
    {
        email = email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors.Add(at with { Message = "missing" });
            return null;
        }
        if (Canonical(email) is not { } canonical)
        {
            errors.Add(at with { Message = $"\"{email}\" is not a valid email address" });
            return null;
        }
        if (seen.TryGetValue(canonical, out var first))
        {
            var spelling = canonical == email ? "" : $", the same mailbox as {canonical}";
            errors.Add(at with { Message = $"\"{email}\" is a duplicate of {first} (addresses are compared ignoring case{spelling})" });
            return null;
        }
        email = canonical;
        timeZone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone.Trim();
        if (timeZone is not null && !DigestOptionsValidator.TryFindTimeZone(timeZone, out _))
        {
            errors.Add((zoneAt ?? at) with { Message = $"\"{timeZone}\" is not an IANA time zone (e.g. Europe/Berlin)" });
            return null;
        }
        seen[email] = label;
        var cleaned = (categories ?? []).Select(c => c.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        name = name is null ? null : ControlCharacters.Strip(name).Trim();
        return new Subscriber(email, string.IsNullOrEmpty(name) ? null : name, cleaned, timeZone);
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
