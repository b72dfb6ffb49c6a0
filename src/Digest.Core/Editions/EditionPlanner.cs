using Digest.Comparisons;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>Chooses what goes into this week's edition: the comparisons published since the last cut-off.</summary>
public sealed class EditionPlanner(
    ComparisonStore comparisons,
    EditionStore editions,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<EditionPlanner> log)
{
    /// <summary>
    /// The next edition as it would be made now, without storing it; null when nothing was published since
    /// the previous edition's cut-off.
    /// </summary>
    public Edition? Draft()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var previous = editions.Latest();
        var after = previous?.CutOff ?? DateTime.MinValue;
        var cap = options.Value.Edition.MaxComparisons;
        var selected = comparisons.PublishedBetween(after, now, cap);
        if (selected.Count == 0)
        {
            log.LogInformation("No comparisons published since {CutOff:u}: no edition", previous?.CutOff);
            return null;
        }
        var inWindow = selected.Count < cap ? selected.Count : comparisons.CountPublishedBetween(after, now);
        return new Edition
        {
            Number = (previous?.Number ?? 0) + 1,
            PreviousCutOff = previous?.CutOff,
            CutOff = now,
            CreatedAt = now,
            Comparisons = selected.ToList(),
            LeftOut = inWindow - selected.Count,
        };
    }
}
