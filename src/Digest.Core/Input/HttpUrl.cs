using System.Diagnostics.CodeAnalysis;

namespace Digest.Input;

/// <summary>An absolute http(s) URL: what a comparison's link, a listener's or archive's base URL and a site's origin must be.</summary>
public static class HttpUrl
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri) && uri.Scheme is "https" or "http";

    public static bool IsValid(string? value) => TryParse(value, out _);
}
