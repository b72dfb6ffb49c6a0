namespace Digest.Subscribers;

/// <summary>
/// Readers signing themselves up with double opt-in, bound from <c>Digest:Signup</c>: <c>POST /subscribe</c> on the
/// listener (Digest:Http:Urls) mails a signed link that expires; only its confirmation stores the reader.
/// </summary>
public sealed class SignupOptions
{
    public const string Section = "Digest:Signup";

    /// <summary>Off by default: a list that takes signups from the internet is a decision, not a default.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The public address of the signup endpoint; the confirmation link is this with <c>/confirm?token=</c> appended.
    /// Unset: <c>/subscribe</c> on the host of Digest:Unsubscribe:BaseUrl, which the same listener serves.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>How long a confirmation link works.</summary>
    public TimeSpan ConfirmWithin { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Requests (signups and confirmations) one client address may make per <see cref="ClientWindow"/>; more get 429.</summary>
    public int RequestsPerClient { get; set; } = 10;

    public TimeSpan ClientWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Confirmation mails one address may get per <see cref="AddressWindow"/>, however many clients ask: the form
    /// cannot be used to flood someone's inbox.
    /// </summary>
    public int MailsPerAddress { get; set; } = 3;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Origins whose pages may post the form from the browser (CORS), e.g. <c>https://weekly-verdicts.example.com</c>.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The public address the listener's signup endpoint has for readers.</summary>
    public string PublicUrl(DigestOptions digest)
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)) return BaseUrl.TrimEnd('/');
        return Uri.TryCreate(digest.Unsubscribe.BaseUrl, UriKind.Absolute, out var unsubscribe)
            ? $"{unsubscribe.GetLeftPart(UriPartial.Authority)}/subscribe"
            : "/subscribe";
    }

    /// <summary>The route the listener serves: the path of <see cref="PublicUrl"/>.</summary>
    public string PathOf(DigestOptions digest)
    {
        var path = Uri.TryCreate(PublicUrl(digest), UriKind.Absolute, out var uri) ? uri.AbsolutePath.TrimEnd('/') : "";
        return path.Length == 0 ? "/subscribe" : path;
    }
}
