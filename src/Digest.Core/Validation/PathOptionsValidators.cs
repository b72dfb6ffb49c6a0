using Digest.Input;

namespace Digest.Validation;

public sealed class SubscribersOptionsValidator : SectionValidator<SubscribersOptions>
{
    protected override IEnumerable<(string, SubscribersOptions)> Sections(DigestOptions o) => [("Digest:Subscribers", o.Subscribers)];

    protected override void Check(string key, SubscribersOptions s, List<string> errors)
    {
        Require($"{key}:Path", s.Path, errors);
        if (s.MaxShrink is < 0 or > 1 || double.IsNaN(s.MaxShrink))
            errors.Add($"{key}:MaxShrink must be between 0 and 1 (a share of the list), was {s.MaxShrink}.");
    }
}

public sealed class TemplatesOptionsValidator : SectionValidator<TemplatesOptions>
{
    protected override IEnumerable<(string, TemplatesOptions)> Sections(DigestOptions o) => [("Digest:Templates", o.Templates)];

    protected override void Check(string key, TemplatesOptions t, List<string> errors) => Require($"{key}:Path", t.Path, errors);
}

public sealed class OutboxOptionsValidator : SectionValidator<OutboxOptions>
{
    protected override IEnumerable<(string, OutboxOptions)> Sections(DigestOptions o) => [("Digest:Outbox", o.Outbox)];

    protected override void Check(string key, OutboxOptions outbox, List<string> errors) => Require($"{key}:Path", outbox.Path, errors);
}

public sealed class ArchiveOptionsValidator : SectionValidator<ArchiveOptions>
{
    protected override IEnumerable<(string, ArchiveOptions)> Sections(DigestOptions o) => [("Digest:Archive", o.Archive)];

    protected override void Check(string key, ArchiveOptions archive, List<string> errors)
    {
        Require($"{key}:Path", archive.Path, errors);
        if (archive.BaseUrl is { Length: > 0 } url && !HttpUrl.IsValid(url))
            errors.Add($"{key}:BaseUrl must be an absolute http(s) URL, was \"{url}\".");
    }
}

public sealed class HealthOptionsValidator : SectionValidator<HealthOptions>
{
    protected override IEnumerable<(string, HealthOptions)> Sections(DigestOptions o) => [("Digest:Health", o.Health)];

    protected override void Check(string key, HealthOptions health, List<string> errors)
    {
        Require($"{key}:HeartbeatPath", health.HeartbeatPath, errors);
        if (health.HeartbeatInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{key}:HeartbeatInterval must be at least 00:00:01, was {health.HeartbeatInterval}.");
        AtMost($"{key}:HeartbeatInterval", health.HeartbeatInterval, TimeSpan.FromHours(1), errors);
    }
}

public sealed class LedgerOptionsValidator : SectionValidator<LedgerOptions>
{
    protected override IEnumerable<(string, LedgerOptions)> Sections(DigestOptions o) => [("Digest:Ledger", o.Ledger)];

    protected override void Check(string key, LedgerOptions ledger, List<string> errors)
    {
        if (ledger.KeepEditions < 1)
            errors.Add($"{key}:KeepEditions must be at least 1, was {ledger.KeepEditions}.");
    }
}
