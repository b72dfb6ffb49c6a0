using Digest.Input;

namespace Digest.Validation;

public sealed class HttpOptionsValidator : SectionValidator<HttpOptions>
{
    protected override IEnumerable<(string, HttpOptions)> Sections(DigestOptions o) => [("Digest:Http", o.Http)];

    protected override void Check(string key, HttpOptions http, List<string> errors)
    {
        if (!http.Enabled) return;
        foreach (var url in http.Urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!HttpUrl.IsValid(url))
                errors.Add($"{key}:Urls must be absolute http(s) URLs separated by ';', was \"{url}\".");
    }
}
