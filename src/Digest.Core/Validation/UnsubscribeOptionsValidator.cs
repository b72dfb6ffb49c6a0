using Digest.Input;

namespace Digest.Validation;

public sealed class UnsubscribeOptionsValidator : SectionValidator<UnsubscribeOptions>
{
    protected override IEnumerable<(string, UnsubscribeOptions)> Sections(DigestOptions o) => [("Digest:Unsubscribe", o.Unsubscribe)];

    protected override void Check(string key, UnsubscribeOptions u, List<string> errors)
    {
        if (u.Mailto is { Length: > 0 } mailto && !IsAddress(mailto))
            errors.Add($"{key}:Mailto is not a valid email address, was \"{mailto}\".");
        if (!HttpUrl.IsValid(u.BaseUrl))
            errors.Add($"{key}:BaseUrl must be an absolute http(s) URL, was \"{u.BaseUrl}\".");
    }
}
