namespace Digest.Tests.Support;

/// <summary>Comparisons as an admin would write them in an import file.</summary>
public static class Samples
{
    public static Dictionary<string, object?> Comparison(string slug, string publishedAt, string category = "Developer Tools",
        string quote = "Solid choice for teams that already run GPUs.", string? title = null) => new()
    {
        ["slug"] = slug,
        ["title"] = title ?? $"{slug} title",
        ["question"] = "Which one should you ship with?",
        ["url"] = $"https://verdicts.example.com/compare/{slug}",
        ["publishedAt"] = publishedAt,
        ["tools"] = new object[]
        {
            Tool($"{slug}-alpha", category, 100, null, "Free"),
            Tool($"{slug}-beta", category, 75, 62, "Paid"),
        },
        ["reviews"] = new object[]
        {
            new Dictionary<string, object?> { ["tool"] = $"{slug}-alpha", ["lens"] = "Developer experience", ["verdict"] = "ship", ["quote"] = quote },
            new Dictionary<string, object?> { ["tool"] = $"{slug}-beta", ["lens"] = "Buyer", ["verdict"] = "skip", ["quote"] = "Pricey for what it does." },
        },
    };

    public static Dictionary<string, object?> Tool(string name, string category, int panelShip, int? community, string entry) => new()
    {
        ["name"] = name,
        ["category"] = category,
        ["tagline"] = $"{name} does one thing well",
        ["panelShip"] = panelShip,
        ["community"] = community,
        ["entry"] = entry,
        ["summary"] = $"{name} is a tool that reviewers compared this week.",
    };
}
