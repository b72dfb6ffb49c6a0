namespace Digest.Comparisons;

/// <summary>One published side-by-side verdict on two or more AI tools.</summary>
public sealed class Comparison
{
    /// <summary>Unique, lower-case, URL-safe; the store's key.</summary>
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>The question the comparison answers ("Which one should you ship with?").</summary>
    public string Question { get; set; } = "";

    /// <summary>Link to the full verdict on the site.</summary>
    public string Url { get; set; } = "";
    public DateTime PublishedAt { get; set; }
    public List<Tool> Tools { get; set; } = [];
    public List<Review> Reviews { get; set; } = [];

    /// <summary>
    /// The edition it went out in; null while it waits for one. Selection goes by this, not by a window of
    /// publishing dates, so a comparison the cap left out, one dated before the last cut-off (back-dated, or
    /// published while the clock was wrong) still goes out once.
    /// </summary>
    public int? EditionNumber { get; set; }

    /// <summary>The categories of its tools, which subscriber preferences match on.</summary>
    public IEnumerable<string> Categories => Tools.Select(t => t.Category).Distinct(StringComparer.OrdinalIgnoreCase);
}

public sealed class Tool
{
    public string Name { get; set; } = "";
    public string Category { get; set; } = "";
    public string Tagline { get; set; } = "";

    /// <summary>Share of the reviewer panel that says ship, 0-100.</summary>
    public int PanelShip { get; set; }

    /// <summary>Community vote, 0-100; null while nobody has voted.</summary>
    public int? Community { get; set; }

    /// <summary>The entry price: Free, Paid, Freemium, Open source …</summary>
    public string Entry { get; set; } = "";
    public string Summary { get; set; } = "";
}

/// <summary>One quote of the reviewer scorecard.</summary>
public sealed class Review
{
    /// <summary>The name of the tool the quote is about; one of the comparison's tools.</summary>
    public string Tool { get; set; } = "";

    /// <summary>The reviewer's lens: developer experience, competition, thesis, buyer, job to be done …</summary>
    public string Lens { get; set; } = "";

    /// <summary>Ship or Skip; null when the reviewer gave none.</summary>
    public string? Verdict { get; set; }
    public string Quote { get; set; } = "";
}
