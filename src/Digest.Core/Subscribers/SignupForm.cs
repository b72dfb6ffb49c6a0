using Digest.Comparisons;

namespace Digest.Subscribers;

/// <summary>
/// What a signup form posted, before it is checked. <see cref="Website"/> is the honeypot: a field the embeddable
/// form hides from people, which bots that fill every field fill.
/// </summary>
public sealed record SignupForm(string? Email, string? Name, IReadOnlyList<string> Categories, string? Website)
{
    public const string EmailField = "email";
    public const string NameField = "name";
    public const string CategoriesField = "categories";
    public const string HoneypotField = "website";

    /// <summary>RFC 5321 4.5.3.1.3: a path holds at most 256 octets, so an address at most 254 characters.</summary>
    public const int MaxEmail = 254;
    public const int MaxName = 200;
    public const int MaxCategories = 20;

    public bool IsBot => !string.IsNullOrEmpty(Website);

    /// <summary>
    /// The request to seal in a link, with each category in the list's own spelling; or the first problem, naming
    /// the field. <paramref name="siteCategories"/>: the categories of the comparisons this list has published.
    /// </summary>
    public (SignupRequest? Request, string? Problem) Check(IReadOnlyCollection<string> siteCategories)
    {
        var email = Email?.Trim() ?? "";
        if (email.Length == 0) return (null, "email: an address is required");
        if (email.Length > MaxEmail) return (null, $"email is longer than {MaxEmail} characters");
        if (SubscriberFile.Canonical(email) is not { } canonical) return (null, $"email: \"{email}\" is not a valid email address");
        var name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim();
        if (name?.Length > MaxName) return (null, $"name is longer than {MaxName} characters");
        if (name is not null && name.Any(char.IsControl)) return (null, "name holds control characters");
        if (Categories.Count > MaxCategories) return (null, $"categories: at most {MaxCategories}, were {Categories.Count}");
        var chosen = new List<string>();
        foreach (var category in Categories.Select(c => c.Trim()).Where(c => c.Length > 0))
        {
            var known = siteCategories.FirstOrDefault(c => c.Equals(category, StringComparison.OrdinalIgnoreCase));
            if (known is null && siteCategories.Count == 0)
                return (null, "categories: this list has no categories yet; leave categories out to get everything");
            if (known is null)
            {
                var shown = category.Length > ComparisonLimits.Category ? category[..ComparisonLimits.Category] + "…" : category;
                return (null, $"categories: \"{shown}\" is not a category of this list; choose among {string.Join(", ", siteCategories.Order(StringComparer.OrdinalIgnoreCase))}");
            }
            if (!chosen.Contains(known)) chosen.Add(known);
        }
        return (new SignupRequest(canonical, name, chosen), null);
    }
}
