using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Digest.Input;

namespace Digest.Comparisons;

/// <summary>
/// A comparison as written in an import file: every field optional here so that a missing one is reported
/// by name instead of failing the whole parse.
/// </summary>
internal sealed partial class ComparisonDocument
{
    public string? Slug { get; set; }
    public string? Title { get; set; }
    public string? Question { get; set; }
    public string? Url { get; set; }
    public string? PublishedAt { get; set; }
    public List<ToolDocument?>? Tools { get; set; }
    public List<ReviewDocument?>? Reviews { get; set; }

    internal sealed class ToolDocument
    {
        public string? Name { get; set; }
        public string? Category { get; set; }
        public string? Tagline { get; set; }
        public int? PanelShip { get; set; }
        public int? Community { get; set; }
        public string? Entry { get; set; }
        public string? Summary { get; set; }
    }

    internal sealed class ReviewDocument
    {
        public string? Tool { get; set; }
        public string? Lens { get; set; }
        public string? Verdict { get; set; }
        public string? Quote { get; set; }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    /// <summary>Reads every comparison of a file (one object or an array); any error refuses the whole file.</summary>
    public static IReadOnlyList<Comparison> ReadFile(string file, byte[] bytes)
    {
        var (document, lines) = JsonInput.Parse(file, bytes);
        using var _ = document;
        var errors = new List<InputError>();
        var items = document.RootElement.ValueKind switch
        {
            JsonValueKind.Array => document.RootElement.EnumerateArray().Select((e, i) => (Element: e, Item: $"[{i}]")).ToList(),
            JsonValueKind.Object => [(document.RootElement, "")],
            _ => null,
        };
        if (items is null)
            throw new InvalidInputException(new InputError(file, 1, "", "expected a comparison object or an array of them"));

        var result = new List<Comparison>();
        var slugs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (element, item) in items)
        {
            var doc = element.ValueKind == JsonValueKind.Object
                ? JsonInput.Read<ComparisonDocument>(element, file, item, lines, errors)
                : Fail(errors, new InputError(file, lines.LineOf(item), item, "expected a comparison object"));
            if (doc is null) continue;
            var located = new Located(file, item, lines, errors);
            var comparison = doc.Validate(located);
            if (comparison is null) continue;
            if (slugs.TryGetValue(comparison.Slug, out var first))
                located.Error("slug", $"\"{comparison.Slug}\" appears twice in this file (first at {(first.Length == 0 ? "the top" : first)})");
            else
                slugs[comparison.Slug] = item;
            result.Add(comparison);
        }
        if (errors.Count > 0) throw new InvalidInputException(errors);
        if (result.Count == 0) throw new InvalidInputException(new InputError(file, 1, "", "holds no comparisons"));
        return result;
    }

    private static ComparisonDocument? Fail(List<InputError> errors, InputError error)
    {
        errors.Add(error);
        return null;
    }

    private Comparison? Validate(Located at)
    {
        var before = at.Count;
        var slug = at.Text("slug", Slug, ComparisonLimits.Slug);
        if (slug is not null && !SlugPattern().IsMatch(slug))
            at.Error("slug", $"must be lower-case letters, digits and single hyphens, was \"{slug}\"");
        var title = at.Text("title", Title, ComparisonLimits.Title);
        var question = at.Text("question", Question, ComparisonLimits.Question);
        var url = at.Text("url", Url, ComparisonLimits.Url);
        if (url is not null && !HttpUrl.IsValid(url))
            at.Error("url", $"must be an absolute http(s) link, was \"{url}\"");
        var publishedAt = ParseTime(at, PublishedAt);

        var tools = ValidateTools(at);
        var reviews = ValidateReviews(at, tools);
        if (at.Count > before) return null;
        return new Comparison
        {
            Slug = slug!,
            Title = title!,
            Question = question!,
            Url = url!,
            PublishedAt = publishedAt,
            Tools = tools,
            Reviews = reviews,
        };
    }

    private static DateTime ParseTime(Located at, string? value)
    {
        if (at.Required("publishedAt", value) is not { } text) return default;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time.UtcDateTime;
        at.Error("publishedAt", $"must be an ISO 8601 time such as 2026-11-23T08:00:00Z, was \"{text}\"");
        return default;
    }

    private List<Tool> ValidateTools(Located at)
    {
        var tools = new List<Tool>();
        if (Tools is null || Tools.Count < 2)
        {
            at.Error("tools", Tools is null ? "missing" : $"needs at least two tools, has {Tools.Count}");
            return tools;
        }
        if (Tools.Count > ComparisonLimits.Tools)
        {
            at.Error("tools", $"has {Tools.Count} tools; at most {ComparisonLimits.Tools} are allowed");
            return tools;
        }
        for (var i = 0; i < Tools.Count; i++)
        {
            var field = $"tools[{i}]";
            if (Tools[i] is not { } t)
            {
                at.Error(field, "expected a tool object");
                continue;
            }
            var name = at.Text($"{field}.name", t.Name, ComparisonLimits.ToolName);
            if (name is not null && tools.Any(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                at.Error($"{field}.name", $"\"{name}\" appears twice in this comparison");
            tools.Add(new Tool
            {
                Name = name ?? "",
                Category = at.Text($"{field}.category", t.Category, ComparisonLimits.Category) ?? "",
                Tagline = at.Text($"{field}.tagline", t.Tagline, ComparisonLimits.Tagline) ?? "",
                PanelShip = at.Score($"{field}.panelShip", t.PanelShip, required: true) ?? 0,
                Community = at.Score($"{field}.community", t.Community, required: false),
                Entry = at.Text($"{field}.entry", t.Entry, ComparisonLimits.Entry) ?? "",
                Summary = at.Text($"{field}.summary", t.Summary, ComparisonLimits.Summary) ?? "",
            });
        }
        return tools;
    }

    private List<Review> ValidateReviews(Located at, List<Tool> tools)
    {
        var reviews = new List<Review>();
        if (Reviews?.Count > ComparisonLimits.Reviews)
        {
            at.Error("reviews", $"has {Reviews.Count} reviews; at most {ComparisonLimits.Reviews} are allowed");
            return reviews;
        }
        for (var i = 0; i < (Reviews?.Count ?? 0); i++)
        {
            var field = $"reviews[{i}]";
            if (Reviews![i] is not { } r)
            {
                at.Error(field, "expected a review object");
                continue;
            }
            var toolName = at.Text($"{field}.tool", r.Tool, ComparisonLimits.ToolName);
            var tool = tools.FirstOrDefault(t => t.Name.Equals(toolName, StringComparison.OrdinalIgnoreCase));
            if (toolName is not null && tool is null)
                at.Error($"{field}.tool", $"names \"{toolName}\", which is not one of this comparison's tools ({string.Join(", ", tools.Select(t => t.Name))})");
            string? verdict = null;
            if (!string.IsNullOrWhiteSpace(r.Verdict))
            {
                verdict = r.Verdict.Trim().ToLowerInvariant() switch { "ship" => "Ship", "skip" => "Skip", _ => null };
                if (verdict is null) at.Error($"{field}.verdict", $"must be \"ship\", \"skip\" or absent, was \"{r.Verdict}\"");
            }
            reviews.Add(new Review
            {
                Tool = tool?.Name ?? toolName ?? "",
                Lens = at.Text($"{field}.lens", r.Lens, ComparisonLimits.Lens) ?? "",
                Verdict = verdict,
                Quote = at.Text($"{field}.quote", r.Quote, ComparisonLimits.Quote) ?? "",
            });
        }
        return reviews;
    }

    /// <summary>Error reporting for one item of one file.</summary>
    private sealed class Located(string file, string item, JsonLineMap lines, List<InputError> errors)
    {
        public int Count => errors.Count;

        public void Error(string field, string message)
        {
            var path = item.Length == 0 ? field : $"{item}.{field}";
            errors.Add(new InputError(file, lines.LineOf(path), path, message));
        }

        public string? Required(string field, string? value)
        {
            var text = value is null ? null : ControlCharacters.Strip(value).Trim();
            if (!string.IsNullOrEmpty(text)) return text;
            Error(field, value is null ? "missing" : "must not be empty");
            return null;
        }

        /// <summary>A required text no longer than <paramref name="max"/> characters.</summary>
        public string? Text(string field, string? value, int max)
        {
            if (Required(field, value) is not { } text) return null;
            if (text.Length <= max) return text;
            Error(field, $"is {text.Length} characters long; at most {max} are allowed");
            return null;
        }

        public int? Score(string field, int? value, bool required)
        {
            if (value is null)
            {
                if (required) Error(field, "missing");
                return null;
            }
            if (value is < 0 or > 100) Error(field, $"must be between 0 and 100, was {value}");
            return value;
        }
    }
}
