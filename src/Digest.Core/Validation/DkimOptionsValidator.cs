namespace Digest.Validation;

/// <summary>The rules live with the signing (<see cref="Messages.DkimSigning.Validate"/>): checking the key means loading it.</summary>
public sealed class DkimOptionsValidator : SectionValidator<DkimOptions>
{
    protected override IEnumerable<(string, DkimOptions)> Sections(DigestOptions o) => [("Digest:Dkim", o.Dkim)];

    protected override void Check(string key, DkimOptions dkim, List<string> errors) => Messages.DkimSigning.Validate(dkim, errors);
}
