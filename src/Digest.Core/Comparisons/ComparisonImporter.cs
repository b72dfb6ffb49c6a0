using System.Security.Cryptography;
using Digest.Input;
using Microsoft.Extensions.Logging;

namespace Digest.Comparisons;

/// <summary>Validates comparison files and upserts them by slug; a file with any error is refused whole.</summary>
public sealed class ComparisonImporter(IComparisonStore comparisons, ILogger<ComparisonImporter> log)
{
    /// <summary>Imports one file; throws <see cref="InvalidInputException"/> (nothing stored) when it is invalid.</summary>
    public IReadOnlyList<Comparison> ImportFile(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(new InputError(file, 0, "", $"cannot be read: {e.Message}"));
        }
        return Import(file, bytes);
    }

    private IReadOnlyList<Comparison> Import(string file, byte[] bytes)
    {
        var items = ComparisonDocument.ReadFile(file, bytes);
        comparisons.Upsert(items);
        log.LogInformation(ComparisonEvents.Imported, "Imported {Count} comparisons from {File}: {Slugs}", items.Count, file, string.Join(", ", items.Select(c => c.Slug)));
        return items;
    }

    /// <summary>
    /// Imports the JSON files of the import folder that are new or changed since they were last imported, so
    /// the sample comparisons reach an empty store by themselves. A bad file, or an entry that is no file at
    /// all (a dangling link, a link loop, a pipe), is logged with its path and skipped; it never stops the
    /// worker or the other files.
    /// </summary>
    public int ImportFolder(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder)) return 0;
        List<string> files;
        try
        {
            files = Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogError(ComparisonEvents.ImportFolderUnlisted, "Import folder: {Folder} cannot be listed, nothing imported from it: {Reason}", folder, e.Message);
            return 0;
        }
        var imported = 0;
        foreach (var file in files)
        {
            if (ReadEntry(file) is not { } bytes) continue;
            var hash = Convert.ToHexString(SHA256.HashData(bytes));
            var key = Path.GetFullPath(file);
            if (comparisons.FindImported(key)?.Sha256 == hash) continue;
            try
            {
                imported += Import(file, bytes).Count;
                comparisons.SaveImported(new ImportedFile { Path = key, Sha256 = hash, ImportedAt = DateTime.UtcNow });
            }
            catch (InvalidInputException e)
            {
                log.LogError(ComparisonEvents.ImportFileRefused, "Import folder: {File} was not imported:{NewLine}{Errors}", file, Environment.NewLine, e.Message);
            }
        }
        return imported;
    }

    /// <summary>The bytes of one entry of the import folder, or null (logged) when it is not a readable regular file.</summary>
    private byte[]? ReadEntry(string file)
    {
        string? reason;
        try
        {
            reason = WhyNotARegularFile(file);
            if (reason is null) return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"cannot be read: {e.Message}";
        }
        log.LogError(ComparisonEvents.ImportFileSkipped, "Import folder: {File} was skipped: {Reason}", file, reason);
        return null;
    }

    /// <summary>
    /// Why an entry must not be opened, or null. .NET cannot tell a named pipe or a device from a file, but
    /// both report a size of 0; opening a pipe would wait for a writer for ever, and an empty file holds no
    /// comparison anyway, so an empty entry is skipped unopened.
    /// </summary>
    private static string? WhyNotARegularFile(string file)
    {
        // Throws IOException for a link loop ("Too many levels of symbolic links").
        var link = File.ResolveLinkTarget(file, returnFinalTarget: true);
        var target = link as FileInfo ?? new FileInfo(file);
        if (!target.Exists) return link is null ? "no longer exists" : $"a link to a file that does not exist ({target.FullName})";
        if (target.Length == 0) return "not a regular file with content (empty, a named pipe or a device)";
        return null;
    }
}
