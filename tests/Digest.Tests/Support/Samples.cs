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

/// <summary>
/// Comparisons at the length of a real published page: two tools with long summaries and eight reviewer quotes
/// of 600-900 characters across four lenses (the shape of the site's comparison pages, in words of our own).
/// </summary>
public static class RealLengthSamples
{
    public static readonly string[] Lenses = ["Developer experience", "Competition", "Thesis", "Buyer"];

    public static Dictionary<string, object?> Comparison(int n, string publishedAt, string? skipLens = null)
    {
        var a = $"Harbor Copilot {n}";
        var b = $"Lattice Gateway Pro {n}";
        return new()
        {
            ["slug"] = $"harbor-{n}-vs-lattice-{n}",
            ["title"] = $"{a} vs {b} (preview build)",
            ["question"] = "Which one should you ship with? The panel's verdict, what it costs to start, how the reviewers split and how the community voted.",
            ["url"] = $"https://weekly-verdicts.example.com/compare/harbor-copilot-{n}-vs-lattice-gateway-pro-{n}",
            ["publishedAt"] = publishedAt,
            ["tools"] = new object[]
            {
                Tool(a, "Developer Tools", 100, null, "Free", "An open-weight family of coding models in three sizes that anyone may download, run on their own hardware and fine-tune within the terms of its community licence. Its makers claim leading scores on the usual coding benchmarks and position it against the paid assistants, with the difference that nothing leaves your network and nobody bills you per token for a completion loop that runs all day."),
                Tool(b, "Developer Tools", 100, 71, "Paid", "A routing layer built into a hosting platform that sends each model call to the first healthy provider, limits requests per route and adds up what every feature spends, without a separate service to sign up for. Teams that already deploy there switch it on in a dashboard and remove the retry and fallback code they used to write and maintain themselves."),
            },
            ["reviews"] = Lenses.SelectMany(lens => new[] { a, b }.Select(tool => (object)new Dictionary<string, object?>
            {
                ["tool"] = tool,
                ["lens"] = lens,
                ["verdict"] = lens == skipLens && tool == b ? "skip" : "ship",
                ["quote"] = Quote(lens, tool),
            })).ToArray(),
        };
    }

    private static Dictionary<string, object?> Tool(string name, string category, int panelShip, int? community, string entry, string summary)
    {
        var tool = Samples.Tool(name, category, panelShip, community, entry);
        tool["tagline"] = $"{name}: the short pitch a reader sees before deciding whether to read on";
        tool["summary"] = summary;
        return tool;
    }

    /// <summary>A long quote in the voice of that lens; its first sentence is short, as reviewers write.</summary>
    public static string Quote(string lens, string tool) => lens switch
    {
        "Developer experience" => $"The building block of {tool} is simple and well chosen. The bet is that you supply the machines and it supplies the rest, which suits a team that cannot accept network latency or metered billing inside a loop that fires on every keystroke. Running the largest size on hardware you own changes the cost picture completely compared with paying a provider per million tokens in the middle of the night while your build server hammers it. One reservation: a headline benchmark claim is something I will believe once independent evaluations agree, because the popular coding benchmarks are close to saturated and agent scores depend on the harness as much as on the model.",
        "Competition" => $"The rivals of {tool} are the usual open and closed coding assistants, and it belongs in that field rather than trailing it. Where it breaks is a company without its own accelerators that tries the biggest size locally, learns it needs a rack of expensive cards and quietly goes back to an API. The real threat in a year is not a competitor but its own successor making it last season's model overnight. For teams that already run inference, this is a ship: the licence is the feature that lasts, not the benchmark table.",
        "Thesis" => $"The thesis behind {tool} is that inference for code becomes a commodity that serious teams run themselves for cost and privacy reasons. For that to hold, hardware must keep getting cheaper and techniques such as quantisation and speculative decoding must keep improving until the largest size no longer needs a small data centre. The second-order effect matters more than cheaper completions: public weights let specialist shops build their own models on top, an ecosystem its makers do not control but benefit from. It is on time, not early.",
        _ => $"The buyer of {tool} is not a single developer but a platform team at a larger company with its own accelerators and a real problem with API bills or data leaving the building. Distribution is the moat: the licence has already passed many legal reviews, so procurement friction is close to zero compared with a new vendor. The pricing invites expansion, free until you want support, hosting or fine-tuning, at which point partners are waiting. What breaks the case: if hosted inference gets cheap enough that saving money stops being the argument, only compliance-driven buyers remain, a smaller market than the plan assumes.",
    };
}
