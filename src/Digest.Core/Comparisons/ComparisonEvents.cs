using Microsoft.Extensions.Logging;

namespace Digest.Comparisons;

/// <summary>
/// Event ids of the log lines about importing comparison files.
/// Stable: log queries and alerts select on them rather than on the wording, so an id is never reused or
/// renumbered (README, "Logging", lists them all).
/// </summary>
public static class ComparisonEvents
{
    /// <summary>Comparisons imported from a file.</summary>
    public static readonly EventId Imported = new(5000, nameof(Imported));

    /// <summary>The import folder cannot be listed.</summary>
    public static readonly EventId ImportFolderUnlisted = new(5001, nameof(ImportFolderUnlisted));

    /// <summary>An import file is invalid: refused whole, with file, line and field.</summary>
    public static readonly EventId ImportFileRefused = new(5002, nameof(ImportFileRefused));

    /// <summary>An import folder entry cannot be read (link, pipe, empty file): skipped.</summary>
    public static readonly EventId ImportFileSkipped = new(5003, nameof(ImportFileSkipped));
}
