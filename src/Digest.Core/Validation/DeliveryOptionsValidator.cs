namespace Digest.Validation;

public sealed class DeliveryOptionsValidator : SectionValidator<DeliveryOptions>
{
    protected override IEnumerable<(string, DeliveryOptions)> Sections(DigestOptions o) => [("Digest:Delivery", o.Delivery)];

    protected override void Check(string key, DeliveryOptions d, List<string> errors)
    {
        if (d.RelayRetryAfter <= TimeSpan.Zero)
            errors.Add($"{key}:RelayRetryAfter must be a positive duration, was {d.RelayRetryAfter}.");
        if (d.Retries is < 0 or > 10)
            errors.Add($"{key}:Retries must be between 0 and 10, was {d.Retries}.");
        if (d.RetryDelay < TimeSpan.Zero)
            errors.Add($"{key}:RetryDelay must not be negative, was {d.RetryDelay}.");
        if (d.GiveUpAfter < TimeSpan.FromMinutes(1) || d.GiveUpAfter > TimeSpan.FromDays(30))
            errors.Add($"{key}:GiveUpAfter must be between 00:01:00 and 30.00:00:00, was {d.GiveUpAfter}.");
        if (d.StopTimeout <= TimeSpan.Zero)
            errors.Add($"{key}:StopTimeout must be a positive duration, was {d.StopTimeout}.");
        if (d.LeaseDuration < TimeSpan.FromSeconds(5))
            errors.Add($"{key}:LeaseDuration must be at least 00:00:05, was {d.LeaseDuration}.");
        if (d.JoinInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{key}:JoinInterval must be at least 00:00:01, was {d.JoinInterval}.");
        AtMost($"{key}:RetryDelay", d.RetryDelay, TimeSpan.FromMinutes(5), errors);
        AtMost($"{key}:StopTimeout", d.StopTimeout, TimeSpan.FromHours(1), errors);
        AtMost($"{key}:RelayRetryAfter", d.RelayRetryAfter, TimeSpan.FromDays(1), errors);
        AtMost($"{key}:LeaseDuration", d.LeaseDuration, TimeSpan.FromHours(1), errors);
        AtMost($"{key}:JoinInterval", d.JoinInterval, TimeSpan.FromHours(1), errors);
    }
}
