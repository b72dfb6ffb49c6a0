using Digest.Comparisons;

namespace Digest.Editions;

/// <summary>
/// One numbered weekly edition: the comparisons published in its window, kept as they were when the
/// edition was made so a resumed send renders exactly what the first recipients got.
/// </summary>
public sealed class Edition
{
    public int Number { get; set; }

    /// <summary>The window's end: comparisons published at or before it belong to this or an earlier edition.</summary>
    public DateTime CutOff { get; set; }

    /// <summary>The window's start (exclusive): the previous edition's cut-off, or null for the first.</summary>
    public DateTime? PreviousCutOff { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public List<Comparison> Comparisons { get; set; } = [];

    /// <summary>Comparisons waiting when the edition was made that the cap left out; they go in a later edition.</summary>
    public int LeftOut { get; set; }

    public bool IsComplete => CompletedAt is not null;
}
