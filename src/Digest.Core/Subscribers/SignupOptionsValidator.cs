using Digest.Input;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>Checks Digest:Signup at start-up; each message names the key and the bad value.</summary>
public sealed class SignupOptionsValidator(IOptions<DigestOptions> digest) : IValidateOptions<SignupOptions>
{
    public ValidateOptionsResult Validate(string? name, SignupOptions o)
    {
        if (!o.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (!digest.Value.Http.Enabled)
            errors.Add("Digest:Signup:Enabled is true but Digest:Http:Urls is not set: nothing would serve the signup form.");
        if (o.BaseUrl is { Length: > 0 } url && !HttpUrl.IsValid(url))
            errors.Add($"Digest:Signup:BaseUrl must be an absolute http(s) URL, was \"{url}\".");
        Between(errors, "ConfirmWithin", o.ConfirmWithin, TimeSpan.FromMinutes(10), TimeSpan.FromDays(30));
        Between(errors, "ClientWindow", o.ClientWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Between(errors, "AddressWindow", o.AddressWindow, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        if (o.RequestsPerClient is < 1 or > 10_000)
            errors.Add($"Digest:Signup:RequestsPerClient must be between 1 and 10000, was {o.RequestsPerClient}.");
        if (o.MailsPerAddress is < 1 or > 100)
            errors.Add($"Digest:Signup:MailsPerAddress must be between 1 and 100, was {o.MailsPerAddress}.");
        for (var i = 0; i < o.AllowedOrigins.Count; i++)
        {
            // An origin is scheme://host[:port], nothing after: a browser sends exactly that and CORS compares it whole.
            var origin = o.AllowedOrigins[i];
            if (!HttpUrl.TryParse(origin, out var u) || u.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
                errors.Add($"Digest:Signup:AllowedOrigins:{i} must be an origin such as https://www.example.com (scheme and host, no path), was \"{origin}\".");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Between(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max) errors.Add($"Digest:Signup:{key} must be between {min} and {max}, was {value}.");
    }
}
