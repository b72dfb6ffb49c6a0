using System.Security.Cryptography;
using Digest.Input;
using Digest.Storage;
using Microsoft.Extensions.Logging;

namespace Digest.Comparisons;

/// <summary>Validates comparison files and upserts them by slug; a file with any error is refused whole.</summary>
public sealed class ComparisonImporter(ComparisonStore comparisons, DigestStore store, ILogger<ComparisonImporter> log)
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
        var items = ComparisonDocument.ReadFile(file, bytes);
        comparisons.Upsert(items);
        log.LogInformation("Imported {Count} comparisons from {File}: {Slugs}", items.Count, file, string.Join(", ", items.Select(c => c.Slug)));
        return items;
    }

    /// <summary>
    /// Imports the JSON files of the import folder that are new or changed since they were last imported, so
    /// the sample comparisons reach an empty store by themselves. A bad file is logged and skipped; it never
    /// stops the worker.
    /// </summary>
    public int ImportFolder(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder)) return 0;
        var imported = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            var key = Path.GetFullPath(file);
            if (store.ImportedFiles.FindById(key)?.Sha256 == hash) continue;
            try
            {
                imported += ImportFile(file).Count;
                store.ImportedFiles.Upsert(new ImportedFile { Path = key, Sha256 = hash, ImportedAt = DateTime.UtcNow });
            }
            catch (InvalidInputException e)
            {
                log.LogError("Import folder: {File} was not imported:{NewLine}{Errors}", file, Environment.NewLine, e.Message);
            }
        }
        return imported;
    }
}
