namespace Digest.Comparisons;

/// <summary>
/// The longest text each field of a comparison file may hold (in characters, after trimming), and the most
/// tools and reviews per comparison. With them a comparison stays under ~200 KB, so an edition of the most
/// comparisons allowed (Digest:Edition:MaxComparisons, 50) stays well under LiteDB's 16 MB document limit,
/// and a mail stays readable. The README's "Comparison files" section lists the same numbers.
/// </summary>
public static class ComparisonLimits
{
    public const int Slug = 100;
    public const int Title = 300;
    public const int Question = 500;
    public const int Url = 2000;
    public const int Tools = 8;
    public const int ToolName = 100;
    public const int Category = 100;
    public const int Tagline = 300;
    public const int Entry = 100;
    public const int Summary = 2000;
    public const int Reviews = 20;
    public const int Lens = 100;
    public const int Quote = 2000;
}
