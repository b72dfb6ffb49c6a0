namespace Digest.Comparisons;

/// <summary>A file from the import folder that has been imported, so an unchanged file is not imported again.</summary>
public sealed class ImportedFile
{
    public string Path { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public DateTime ImportedAt { get; set; }
}
