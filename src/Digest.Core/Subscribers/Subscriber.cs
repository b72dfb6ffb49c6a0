namespace Digest.Subscribers;

/// <summary>A reader from the subscriber file. No categories means they follow everything.</summary>
public sealed record Subscriber(string Email, string? Name, IReadOnlyList<string> Categories)
{
    /// <summary>The address as the store keys it: LiteDB's collation ignores case, so keys are lower-cased on purpose.</summary>
    public string Key => Email.ToLowerInvariant();

    public bool Follows(IEnumerable<string> categories) =>
        Categories.Count == 0 || categories.Any(c => Categories.Contains(c, StringComparer.OrdinalIgnoreCase));
}
