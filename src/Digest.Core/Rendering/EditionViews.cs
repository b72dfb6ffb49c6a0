using System.Globalization;
using System.Text.RegularExpressions;
using Digest.Comparisons;
using Digest.Editions;

namespace Digest.Rendering;

/// <summary>Turns a stored edition into what the templates see.</summary>
public static partial class EditionViews
{
    /// <summary>
    /// Quotes shown per comparison: one per reviewer lens where there are that many, enough to hear both sides
    /// without scrolling a phone through every review (the bottom line counts them all).
    /// </summary>
    public const int QuotesPerComparison = 4;

    /// <summary>Whole sentences are kept up to about this many characters; a quote is never cut mid-sentence below it.</summary>
    public const int ExcerptLength = 300;

    /// <summary>Tool columns in Outlook's fixed table share this width (600px less the page and card padding).</summary>
    private const int ColumnsWidth = 542;

    public static EditionView Create(Edition edition, IReadOnlyList<Comparison> comparisons, string listName, string? archiveUrl = null, string? postalAddress = null)
    {
        var views = comparisons.Select(Create).ToList();
        var tools = views.SelectMany(c => c.Tools).Select(t => t.Name).ToList();
        var preheader = views.Count == 1
            ? $"{views[0].BottomLine}. {views[0].Question}"
            : $"This week: {string.Join(", ", tools.Take(4))}{(tools.Count > 4 ? " and more" : "")}, compared side by side.";
        return new EditionView(
            edition.Number,
            edition.CutOff.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
            listName,
            preheader,
            views,
            archiveUrl,
            string.IsNullOrWhiteSpace(postalAddress) ? null : postalAddress.Trim());
    }

    public static ComparisonView Create(Comparison c) => new(
        Anchor(c.Slug),
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
            t.Summary,
            t.Community is not null)).ToList(),
        PickReviews(c).Select(r => new ReviewView(r.Tool, r.Lens, r.Verdict, r.Quote, Excerpt(r.Quote))).ToList(),
        BottomLine(c),
        ColumnsWidth / Math.Max(1, Math.Min(2, c.Tools.Count)));

    /// <summary>
    /// "Panel: both ship · 8 reviewers, 8 ship": the panel's call on each tool (a tool ships when at least half
    /// the panel says so) and the split of every review, not only the quotes shown.
    /// </summary>
    public static string BottomLine(Comparison c)
    {
        var ships = c.Tools.Where(t => t.PanelShip >= 50).Select(t => t.Name).ToList();
        var skips = c.Tools.Where(t => t.PanelShip < 50).Select(t => t.Name).ToList();
        var panel = (ships.Count, skips.Count) switch
        {
            (2, 0) => "both ship",
            (_, 0) => "all ship",
            (0, 2) => "neither ships",
            (0, _) => "none ships",
            _ => $"{Join(ships)} {(ships.Count == 1 ? "ships" : "ship")}, {Join(skips)} {(skips.Count == 1 ? "skips" : "skip")}",
        };
        var line = $"Panel: {panel}";
        if (c.Reviews.Count == 0) return line;
        var ship = c.Reviews.Count(r => string.Equals(r.Verdict, "ship", StringComparison.OrdinalIgnoreCase));
        var skip = c.Reviews.Count(r => string.Equals(r.Verdict, "skip", StringComparison.OrdinalIgnoreCase));
        line += $" · {c.Reviews.Count} {(c.Reviews.Count == 1 ? "reviewer" : "reviewers")}, {ship} ship";
        return skip > 0 ? $"{line}, {skip} skip" : line;
    }

    private static string Join(IReadOnlyList<string> names) =>
        names.Count <= 2 ? string.Join(" and ", names) : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>
    /// One quote per lens first (a lens is a different question asked of the tools), taking each lens's quote
    /// from the tool heard least so far so both sides are heard; then, if lenses are fewer than the quotes
    /// shown, more quotes in the same turn. Quotes keep the order they were written in.
    /// </summary>
    private static IEnumerable<Review> PickReviews(Comparison c)
    {
        var heard = c.Tools.ToDictionary(t => t.Name, _ => 0);
        var picked = new List<Review>();
        void Take(IEnumerable<Review> candidates)
        {
            var best = candidates.Where(r => !picked.Contains(r)).OrderBy(r => heard.GetValueOrDefault(r.Tool)).FirstOrDefault();
            if (best is null || picked.Count >= QuotesPerComparison) return;
            picked.Add(best);
            heard[best.Tool] = heard.GetValueOrDefault(best.Tool) + 1;
        }
        foreach (var lens in c.Reviews.Select(r => r.Lens).Distinct(StringComparer.OrdinalIgnoreCase))
            Take(c.Reviews.Where(r => string.Equals(r.Lens, lens, StringComparison.OrdinalIgnoreCase)));
        while (picked.Count < Math.Min(QuotesPerComparison, c.Reviews.Count))
            Take(c.Reviews);
        return c.Reviews.Where(picked.Contains);
    }

    /// <summary>
    /// The quote's whole sentences up to about <see cref="ExcerptLength"/> characters: a reader gets complete
    /// thoughts, and no "…" after a full stop. Only a first sentence far longer than that is cut at a word,
    /// and then it ends in "…".
    /// </summary>
    public static string Excerpt(string quote)
    {
        quote = quote.Trim();
        if (quote.Length <= ExcerptLength) return quote;
        var end = 0;
        foreach (Match sentence in SentenceEnd().Matches(quote))
        {
            if (sentence.Index + sentence.Length > ExcerptLength && end > 0) break;
            end = sentence.Index + sentence.Length;
            if (end > ExcerptLength) break;
        }
        // A first sentence of up to half again the length reads better whole than cut.
        if (end > 0 && end <= ExcerptLength * 3 / 2) return quote[..end].TrimEnd();
        var space = quote.LastIndexOf(' ', ExcerptLength);
        return quote[..(space > 0 ? space : ExcerptLength)].TrimEnd(',', ';', ':', ' ', '—', '-') + "…";
    }

    /// <summary>A sentence ends at . ! or ? (with any closing quote or bracket) before white space or the end.</summary>
    [GeneratedRegex(@"[.!?]['’”)\]]*(?=\s|$)")]
    private static partial Regex SentenceEnd();

    private static string Anchor(string slug) => "c-" + AnchorChars().Replace(slug, "-");

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex AnchorChars();
}
