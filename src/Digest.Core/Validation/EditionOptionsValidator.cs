namespace Digest.Validation;

public sealed class EditionOptionsValidator : SectionValidator<EditionOptions>
{
    protected override IEnumerable<(string, EditionOptions)> Sections(DigestOptions o) => [("Digest:Edition", o.Edition)];

    protected override void Check(string key, EditionOptions e, List<string> errors)
    {
        if (e.MaxComparisons is < 1 or > 50)
            errors.Add($"{key}:MaxComparisons must be between 1 and 50, was {e.MaxComparisons}.");
        if (e.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero)
            errors.Add($"{key}:MaxAge must be a positive duration such as 30.00:00:00, or unset, was {maxAge}.");
    }
}
