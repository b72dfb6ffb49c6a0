using Digest.Editions;
using Digest.Rendering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Archive;

/// <summary>
/// The public archive: each edition as a static page (edition-0001.html) and an index.html listing them newest
/// first, in Digest:Archive:Path for any web server to publish. Pages are rendered without a reader, so they
/// carry no name, address or unsubscribe token, and hold every comparison of the edition.
/// </summary>
public sealed class EditionArchive(DigestRenderer renderer, IEditionStore editions, IOptions<DigestOptions> options, ILogger<EditionArchive> log)
{
    public const string IndexFile = "index.html";

    public static string FileName(int edition) => $"edition-{edition:D4}.html";

    public string Folder => options.Value.Archive.Path;

    /// <summary>Writes (or rewrites) the edition's page and the index; the same edition always gives the same page.</summary>
    public bool IsWritten(Edition edition) => File.Exists(Path.Combine(Folder, FileName(edition.Number)));

    public async Task WriteAsync(Edition edition, CancellationToken cancellationToken)
    {
        var listName = options.Value.ListName;
        Directory.CreateDirectory(Folder);
        var page = await renderer.RenderArchivePageAsync(EditionViews.Create(edition, edition.Comparisons, listName));
        await WriteFileAsync(FileName(edition.Number), page, cancellationToken);

        var archived = editions.Recent(int.MaxValue)
            .Where(e => e.Number != edition.Number && File.Exists(Path.Combine(Folder, FileName(e.Number))))
            .Append(edition)
            .OrderByDescending(e => e.Number)
            .Select(e => Entry(e, listName))
            .ToList();
        await WriteFileAsync(IndexFile, await renderer.RenderArchiveIndexAsync(new ArchiveIndexView(listName, archived)), cancellationToken);
        log.LogInformation(EditionEvents.EditionArchived, "Edition {Edition} archived to {Page}", edition.Number, Path.GetFullPath(Path.Combine(Folder, FileName(edition.Number))));
    }

    private static ArchiveEntryView Entry(Edition edition, string listName)
    {
        var view = EditionViews.Create(edition, edition.Comparisons, listName);
        return new ArchiveEntryView(edition.Number, view.Date, FileName(edition.Number), view.Comparisons.Select(c => c.Title).ToList());
    }

    /// <summary>Writes beside the target and renames, so a web server never serves half a page.</summary>
    private async Task WriteFileAsync(string name, string content, CancellationToken cancellationToken)
    {
        var target = Path.Combine(Folder, name);
        var partial = target + ".partial";
        await File.WriteAllTextAsync(partial, content, cancellationToken);
        File.Move(partial, target, overwrite: true);
    }
}
