using System.Globalization;
using Digest.Comparisons;
using Digest.Editions;

namespace Digest.Rendering;

/// <summary>Turns a stored edition into what the templates see.</summary>
public static class EditionViews
{
    /// <summary>Quotes shown per comparison: enough to show the split, short enough to read on a phone.</summary>
    public const int QuotesPerComparison = 3;
    private const int ExcerptLength = 280;

    public static EditionView Create(Edition edition, IReadOnlyList<Comparison> comparisons, string listName, string? archiveUrl = null)
    {
        var views = comparisons.Select(Create).ToList();
        var tools = views.SelectMany(c => c.Tools).Select(t => t.Name).ToList();
        var preheader = views.Count == 1
            ? $"{views[0].Title}: {views[0].Question}"
            : $"This week: {string.Join(", ", tools.Take(4))}{(tools.Count > 4 ? " and more" : "")}, compared side by side.";
        return new EditionView(
            edition.Number,
            edition.CutOff.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
            listName,
            preheader,
            views,
            archiveUrl);
    }

    public static ComparisonView Create(Comparison c) => new(
        c.Title,
        c.Question,
        c.Url,
        c.Tools.Select(t => new ToolView(
            t.Name,
            t.Category,
            t.Tagline,
            $"{t.PanelShip}%",
            t.Community is { } votes ? $"{votes}%" : "—",
            t.Entry,
            t.Summary)).ToList(),
        PickReviews(c).Select(r => new ReviewView(r.Tool, r.Lens, r.Verdict, r.Quote, Excerpt(r.Quote))).ToList(),
        $"{100 / Math.Max(1, c.Tools.Count)}%");

    /// <summary>Takes quotes in turn from each tool, so both sides of the verdict are heard.</summary>
    private static IEnumerable<Review> PickReviews(Comparison c)
    {
        var byTool = c.Tools.Select(t => new Queue<Review>(c.Reviews.Where(r => r.Tool == t.Name))).ToList();
        var picked = new List<Review>();
        while (picked.Count < QuotesPerComparison && byTool.Any(q => q.Count > 0))
            foreach (var queue in byTool.Where(q => q.Count > 0))
                if (picked.Count < QuotesPerComparison) picked.Add(queue.Dequeue());
        return c.Reviews.Where(picked.Contains);
    }

    /// <summary>The quote cut at a sentence end near <see cref="ExcerptLength"/> characters.</summary>
    public static string Excerpt(string quote)
    {
        if (quote.Length <= ExcerptLength) return quote;
        var end = quote.LastIndexOfAny(['.', '!', '?'], ExcerptLength);
        if (end > ExcerptLength / 2) return quote[..(end + 1)] + " …";
        var space = quote.LastIndexOf(' ', ExcerptLength);
        return quote[..(space > 0 ? space : ExcerptLength)] + " …";
    }
}
