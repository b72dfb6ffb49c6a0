namespace Digest.Subscribers;

/// <summary>
/// A reader from the subscriber file. No categories means they follow everything; a time zone (IANA) lets
/// the edition arrive at their local morning when Digest:Schedule:LocalTime is set.
/// </summary>
public sealed record Subscriber(string Email, string? Name, IReadOnlyList<string> Categories, string? TimeZone = null)
{
    /// <summary>The address as the store keys it: LiteDB's collation ignores case, so keys are lower-cased on purpose.</summary>
    public string Key => Email.ToLowerInvariant();

    public bool Follows(IEnumerable<string> categories) =>
        Categories.Count == 0 || categories.Any(c => Categories.Contains(c, StringComparer.OrdinalIgnoreCase));
}
