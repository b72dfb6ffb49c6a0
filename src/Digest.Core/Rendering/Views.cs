namespace Digest.Rendering;

// What the templates see: view models built for them, never the stored entities (Fluid's "model security").
// Names reach the templates in snake_case: {{ tool.panel_ship }}.

public sealed record EditionView(
    int Number,
    string Date,
    string ListName,
    string Preheader,
    IReadOnlyList<ComparisonView> Comparisons,
    string? ArchiveUrl,
    string? PostalAddress = null)
{
    /// <summary>Every tool name of the edition, for subject lines and previews.</summary>
    public IEnumerable<string> ToolNames => Comparisons.SelectMany(c => c.Tools).Select(t => t.Name);
}

/// <param name="Anchor">The id of its heading, for the "In this issue" links.</param>
/// <param name="BottomLine">One line a reader can scan, from every review: "Panel: both ship · 8 reviewers, 8 ship".</param>
/// <param name="ColumnWidth">Pixels per tool column in Outlook's fixed 600px table (other clients wrap the columns).</param>
public sealed record ComparisonView(
    string Anchor,
    string Title,
    string Question,
    string Url,
    IReadOnlyList<ToolView> Tools,
    IReadOnlyList<ReviewView> Reviews,
    string BottomLine,
    int ColumnWidth);

/// <param name="HasVotes">False while nobody has voted: <see cref="Community"/> is "—", which the HTML hides from
/// screen readers (they would say "em dash") in favour of "no community votes yet".</param>
public sealed record ToolView(
    string Name,
    string Category,
    string Tagline,
    string PanelShip,
    string Community,
    string Entry,
    string Summary,
    bool HasVotes);

public sealed record ReviewView(string Tool, string Lens, string? Verdict, string Quote, string Excerpt);

/// <summary>The part of a message that is personal to one reader.</summary>
public sealed record ReaderView(string Email, string? Name, string Greeting, string UnsubscribeUrl);

/// <summary>One rendered message: the three templates' output for one reader.</summary>
public sealed record RenderedMessage(string Subject, string Html, string Text);

/// <summary>The archive's index page: every archived edition, newest first.</summary>
public sealed record ArchiveIndexView(string ListName, IReadOnlyList<ArchiveEntryView> Editions);

/// <summary>One line of the archive index; <see cref="Href"/> is relative, so the folder can be served anywhere.</summary>
public sealed record ArchiveEntryView(int Number, string Date, string Href, IReadOnlyList<string> Titles);
