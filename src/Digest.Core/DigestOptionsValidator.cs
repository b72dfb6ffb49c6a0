using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using Quartz;

namespace Digest;

/// <summary>Checks every setting at start-up; each message names the configuration key and the bad value.</summary>
public sealed class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
    public ValidateOptionsResult Validate(string? name, DigestOptions o)
    {
        var errors = new List<string>();
        void Require(string key, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) errors.Add($"Digest:{key} must be set.");
        }

        ValidateStore(o.Store, errors);
        ValidateSharedKey(o, errors);
        Require("Subscribers:Path", o.Subscribers.Path);
        if (o.Subscribers.MaxShrink is < 0 or > 1 || double.IsNaN(o.Subscribers.MaxShrink))
            errors.Add($"Digest:Subscribers:MaxShrink must be between 0 and 1 (a share of the list), was {o.Subscribers.MaxShrink}.");
        Require("Templates:Path", o.Templates.Path);
        Require("Outbox:Path", o.Outbox.Path);
        Require("Archive:Path", o.Archive.Path);
        Require("Health:HeartbeatPath", o.Health.HeartbeatPath);
        Require("ListId", o.ListId);
        Require("ListName", o.ListName);

        if (!CronExpression.TryParse(o.Schedule.QuartzCron, out _))
            errors.Add($"Digest:Schedule:Cron is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week) or 5-field Unix cron, was \"{o.Schedule.Cron}\"{(UnixCron.IsUnix(o.Schedule.Cron) ? $" (read as \"{o.Schedule.QuartzCron}\")" : "")}.");
        if (!TryFindTimeZone(o.Schedule.TimeZone, out _))
            errors.Add($"Digest:Schedule:TimeZone is not a known IANA time zone, was \"{o.Schedule.TimeZone}\".");

        if (!string.IsNullOrWhiteSpace(o.Schedule.LocalTime) && o.Schedule.LocalTimeOfDay is null)
            errors.Add($"Digest:Schedule:LocalTime must be a time of day such as 09:00, was \"{o.Schedule.LocalTime}\".");
        if (o.Edition.MaxComparisons is < 1 or > 50)
            errors.Add($"Digest:Edition:MaxComparisons must be between 1 and 50, was {o.Edition.MaxComparisons}.");
        if (o.Edition.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero)
            errors.Add($"Digest:Edition:MaxAge must be a positive duration such as 30.00:00:00, or unset, was {maxAge}.");

        if (!IsAddress(o.Sender.Address))
            errors.Add($"Digest:Sender:Address is not a valid email address, was \"{o.Sender.Address}\".");
        if (o.Sender.ReplyTo is { Length: > 0 } replyTo && !IsAddress(replyTo))
            errors.Add($"Digest:Sender:ReplyTo is not a valid email address, was \"{replyTo}\".");
        // Feedback-ID fields are separated by colons; Gmail reads at most four of them.
        if (string.IsNullOrWhiteSpace(o.Sender.FeedbackId) || o.Sender.FeedbackId.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
            errors.Add($"Digest:Sender:FeedbackId must be a word without colons or spaces, was \"{o.Sender.FeedbackId}\".");
        if (o.Unsubscribe.Mailto is { Length: > 0 } mailto && !IsAddress(mailto))
            errors.Add($"Digest:Unsubscribe:Mailto is not a valid email address, was \"{mailto}\".");

        if (!Uri.TryCreate(o.Unsubscribe.BaseUrl, UriKind.Absolute, out var unsubscribe) || unsubscribe.Scheme is not ("https" or "http"))
            errors.Add($"Digest:Unsubscribe:BaseUrl must be an absolute http(s) URL, was \"{o.Unsubscribe.BaseUrl}\".");

        if (o.Archive.BaseUrl is { Length: > 0 } archive && (!Uri.TryCreate(archive, UriKind.Absolute, out var archiveUri) || archiveUri.Scheme is not ("https" or "http")))
            errors.Add($"Digest:Archive:BaseUrl must be an absolute http(s) URL, was \"{archive}\".");

        if (o.Health.HeartbeatInterval < TimeSpan.FromSeconds(1))
            errors.Add($"Digest:Health:HeartbeatInterval must be at least 00:00:01, was {o.Health.HeartbeatInterval}.");

        ValidateSmtp(o.Smtp, "Digest:Smtp", errors);
        for (var i = 0; i < o.Relays.Count; i++)
        {
            var key = $"Digest:Relays:{i}";
            if (string.IsNullOrWhiteSpace(o.Relays[i].Host)) errors.Add($"{key}:Host must be set.");
            ValidateSmtp(o.Relays[i], key, errors);
        }
        foreach (var twice in o.Relays.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
            errors.Add($"Digest:Relays: the name \"{twice}\" is used twice; give each relay its own Name.");
        if (o.Delivery.RelayRetryAfter <= TimeSpan.Zero)
            errors.Add($"Digest:Delivery:RelayRetryAfter must be a positive duration, was {o.Delivery.RelayRetryAfter}.");
        ValidateHttp(o, errors);
        Digest.Messages.DkimSigning.Validate(o.Dkim, errors);
        ValidateBounces(o, errors);
        if (o.Delivery.Retries is < 0 or > 10)
            errors.Add($"Digest:Delivery:Retries must be between 0 and 10, was {o.Delivery.Retries}.");
        if (o.Delivery.RetryDelay < TimeSpan.Zero)
            errors.Add($"Digest:Delivery:RetryDelay must not be negative, was {o.Delivery.RetryDelay}.");
        if (o.Delivery.GiveUpAfter < TimeSpan.FromMinutes(1) || o.Delivery.GiveUpAfter > TimeSpan.FromDays(30))
            errors.Add($"Digest:Delivery:GiveUpAfter must be between 00:01:00 and 30.00:00:00, was {o.Delivery.GiveUpAfter}.");
        if (o.Delivery.StopTimeout <= TimeSpan.Zero)
            errors.Add($"Digest:Delivery:StopTimeout must be a positive duration, was {o.Delivery.StopTimeout}.");
        if (o.Ledger.KeepEditions < 1)
            errors.Add($"Digest:Ledger:KeepEditions must be at least 1, was {o.Ledger.KeepEditions}.");
        // A soft-bounce streak is counted over the kept records: it cannot be longer than they reach back.
        else if (o.Ledger.KeepEditions < o.Bounces.SoftBounceLimit)
            errors.Add($"Digest:Ledger:KeepEditions must be at least Digest:Bounces:SoftBounceLimit ({o.Bounces.SoftBounceLimit}), was {o.Ledger.KeepEditions}.");
        if (o.Delivery.LeaseDuration < TimeSpan.FromSeconds(5))
            errors.Add($"Digest:Delivery:LeaseDuration must be at least 00:00:05, was {o.Delivery.LeaseDuration}.");
        if (o.Delivery.JoinInterval < TimeSpan.FromSeconds(1))
            errors.Add($"Digest:Delivery:JoinInterval must be at least 00:00:01, was {o.Delivery.JoinInterval}.");
        ValidateDurationLimits(o, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Upper bounds of every duration (the lower bounds are checked with each setting). A TimeSpan that binds
    /// can still be absurd: timers, Polly and cancellation refuse delays beyond about 24 days, so 99,999 days
    /// passed start-up and crashed every run. The bounds are generous for real use.
    /// </summary>
    private static void ValidateDurationLimits(DigestOptions o, List<string> errors)
    {
        void AtMost(string key, TimeSpan value, TimeSpan max)
        {
            if (value > max) errors.Add($"{key} must be at most {max}, was {value}.");
        }

        var tenMinutes = TimeSpan.FromMinutes(10);
        AtMost("Digest:Delivery:RetryDelay", o.Delivery.RetryDelay, TimeSpan.FromMinutes(5));
        AtMost("Digest:Delivery:StopTimeout", o.Delivery.StopTimeout, TimeSpan.FromHours(1));
        AtMost("Digest:Delivery:RelayRetryAfter", o.Delivery.RelayRetryAfter, TimeSpan.FromDays(1));
        AtMost("Digest:Delivery:LeaseDuration", o.Delivery.LeaseDuration, TimeSpan.FromHours(1));
        AtMost("Digest:Delivery:JoinInterval", o.Delivery.JoinInterval, TimeSpan.FromHours(1));
        AtMost("Digest:Health:HeartbeatInterval", o.Health.HeartbeatInterval, TimeSpan.FromHours(1));
        if (!string.IsNullOrWhiteSpace(o.Smtp.Host)) AtMost("Digest:Smtp:Timeout", o.Smtp.Timeout, tenMinutes);
        for (var i = 0; i < o.Relays.Count; i++) AtMost($"Digest:Relays:{i}:Timeout", o.Relays[i].Timeout, tenMinutes);
        if (!string.IsNullOrWhiteSpace(o.Bounces.Imap.Host))
        {
            AtMost("Digest:Bounces:Imap:Timeout", o.Bounces.Imap.Timeout, tenMinutes);
            AtMost("Digest:Bounces:Imap:PollInterval", o.Bounces.Imap.PollInterval, TimeSpan.FromDays(1));
        }
    }

    private static void ValidateSmtp(SmtpOptions smtp, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host)) return;
        if (smtp.Port is < 1 or > 65535)
            errors.Add($"{key}:Port must be between 1 and 65535, was {smtp.Port}.");
        if (smtp.Connections is < 1 or > 64)
            errors.Add($"{key}:Connections must be between 1 and 64, was {smtp.Connections}.");
        if (smtp.CostPerThousand < 0)
            errors.Add($"{key}:CostPerThousand must not be negative, was {smtp.CostPerThousand}.");
        if (smtp.MaxPerSecond < 0)
            errors.Add($"{key}:MaxPerSecond must be 0 (unlimited) or more, was {smtp.MaxPerSecond}.");
        if (smtp.Timeout <= TimeSpan.Zero)
            errors.Add($"{key}:Timeout must be a positive duration such as 00:00:30, was {smtp.Timeout}.");
        else if (smtp.MessageDeadline < smtp.Timeout || smtp.MessageDeadline > TimeSpan.FromHours(1))
            errors.Add($"{key}:MessageDeadline must be at least {key}:Timeout ({smtp.Timeout}) and at most 01:00:00, was {smtp.MessageDeadline}.");
        // Mail to a server off this machine crosses a network: refuse to send it, and the password, in clear text.
        if (smtp.Security == SmtpSecurity.None && !IsLoopback(smtp.Host))
            errors.Add($"{key}:Security is None but {key}:Host \"{smtp.Host}\" is not a loopback address; use StartTls, SslOnConnect or Auto.");
        if (smtp.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"{key}:PasswordFile names a file that does not exist, was \"{file}\".");
        if (smtp.TrustedCertificateFile is { Length: > 0 } pem && TlsPolicy.CertificateProblem(pem) is { } problem)
            errors.Add($"{key}:TrustedCertificateFile {problem}, was \"{pem}\".");
    }

    private static void ValidateStore(StoreOptions store, List<string> errors)
    {
        if (!Enum.IsDefined(store.Provider))
            errors.Add($"Digest:Store:Provider must be LiteDb or PostgreSql, was \"{store.Provider}\".");
        if (store.Provider != StoreProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(store.Path)) errors.Add("Digest:Store:Path must be set.");
            return;
        }
        if (string.IsNullOrWhiteSpace(store.ConnectionString))
            errors.Add("Digest:Store:ConnectionString must be set when Digest:Store:Provider is PostgreSql.");
        // The value is shown masked: a connection string may carry the password.
        else if (Storage.PostgreSql.PostgreSqlConnection.Problem(store.ConnectionString) is { } problem)
            errors.Add($"Digest:Store:ConnectionString is not a valid PostgreSQL connection string ({problem}), was \"{Storage.PostgreSql.PostgreSqlConnection.Masked(store.ConnectionString)}\".");
        if (store.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"Digest:Store:PasswordFile names a file that does not exist, was \"{file}\".");
    }

    /// <summary>
    /// Workers sharing a PostgreSQL store may run on several machines: a key made in a local file beside
    /// Digest:Store:Path would differ on each, and one machine's unsubscribe links would fail on another's listener.
    /// </summary>
    private static void ValidateSharedKey(DigestOptions o, List<string> errors)
    {
        if (o.Store.Provider == StoreProvider.PostgreSql && string.IsNullOrWhiteSpace(o.Unsubscribe.Key) && string.IsNullOrWhiteSpace(o.Unsubscribe.KeyFile))
            errors.Add("Digest:Unsubscribe:Key or Digest:Unsubscribe:KeyFile must be set when Digest:Store:Provider is PostgreSql: every worker sharing the database must sign links with the same key.");
    }

    private static void ValidateHttp(DigestOptions o, List<string> errors)
    {
        if (!o.Http.Enabled) return;
        foreach (var url in o.Http.Urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                errors.Add($"Digest:Http:Urls must be absolute http(s) URLs separated by ';', was \"{url}\".");
    }

    private static void ValidateWebhooks(DigestOptions o, List<string> errors)
    {
        var (mailgun, postmark) = (o.Bounces.Webhooks.Mailgun, o.Bounces.Webhooks.Postmark);
        if (mailgun.Enabled && !o.Http.Enabled)
            errors.Add("Digest:Bounces:Webhooks:Mailgun:SigningKey is set but Digest:Http:Urls is not: nothing would receive Mailgun's webhooks.");
        if (mailgun.Enabled && (mailgun.MaxAge < TimeSpan.FromSeconds(30) || mailgun.MaxAge > TimeSpan.FromHours(1)))
            errors.Add($"Digest:Bounces:Webhooks:Mailgun:MaxAge must be between 00:00:30 and 01:00:00, was {mailgun.MaxAge}.");
        Bounces.SendGridWebhook.Validate(o, errors);
        if (!postmark.Enabled) return;
        if (!o.Http.Enabled)
            errors.Add("Digest:Bounces:Webhooks:Postmark is set but Digest:Http:Urls is not: nothing would receive Postmark's webhooks.");
        if (string.IsNullOrWhiteSpace(postmark.Username) || postmark.Username.Contains(':'))
            errors.Add($"Digest:Bounces:Webhooks:Postmark:Username must be set, without ':', when its Password is, was \"{postmark.Username}\".");
        // A guessable password would let anyone suppress readers; the value itself is never echoed.
        if ((postmark.Password?.Length ?? 0) < 16)
            errors.Add($"Digest:Bounces:Webhooks:Postmark:Password must be at least 16 characters, was {postmark.Password?.Length ?? 0}.");
    }

    private static void ValidateBounces(DigestOptions o, List<string> errors)
    {
        var b = o.Bounces;
        if (b.Address is { Length: > 0 } address)
        {
            if (!IsAddress(address))
                errors.Add($"Digest:Bounces:Address is not a valid email address, was \"{address}\".");
        }
        if (b.SoftBounceLimit is < 1 or > 100)
            errors.Add($"Digest:Bounces:SoftBounceLimit must be between 1 and 100, was {b.SoftBounceLimit}.");
        ValidateWebhooks(o, errors);

        var imap = b.Imap;
        if (string.IsNullOrWhiteSpace(imap.Host)) return;
        if (imap.Port is < 1 or > 65535)
            errors.Add($"Digest:Bounces:Imap:Port must be between 1 and 65535, was {imap.Port}.");
        if (string.IsNullOrWhiteSpace(imap.Username))
            errors.Add("Digest:Bounces:Imap:Username must be set when Digest:Bounces:Imap:Host is.");
        if (imap.Security == SmtpSecurity.None && !IsLoopback(imap.Host))
            errors.Add($"Digest:Bounces:Imap:Security is None but Digest:Bounces:Imap:Host \"{imap.Host}\" is not a loopback address; use StartTls, SslOnConnect or Auto.");
        if (imap.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"Digest:Bounces:Imap:PasswordFile names a file that does not exist, was \"{file}\".");
        if (string.IsNullOrWhiteSpace(imap.Folder))
            errors.Add("Digest:Bounces:Imap:Folder must be set (INBOX by default).");
        if (string.IsNullOrWhiteSpace(imap.ProcessedFolder) || imap.ProcessedFolder == imap.Folder)
            errors.Add($"Digest:Bounces:Imap:ProcessedFolder must be a folder other than Digest:Bounces:Imap:Folder, was \"{imap.ProcessedFolder}\".");
        if (imap.UnmatchedFolder == imap.Folder)
            errors.Add($"Digest:Bounces:Imap:UnmatchedFolder must differ from Digest:Bounces:Imap:Folder (empty leaves unmatched reports there), was \"{imap.UnmatchedFolder}\".");
        if (imap.PollInterval < TimeSpan.FromSeconds(10))
            errors.Add($"Digest:Bounces:Imap:PollInterval must be at least 00:00:10, was {imap.PollInterval}.");
        if (imap.Timeout <= TimeSpan.Zero)
            errors.Add($"Digest:Bounces:Imap:Timeout must be a positive duration such as 00:00:30, was {imap.Timeout}.");
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && MailboxAddress.TryParse(value, out var m) && m.Address.Contains('@') && m.Domain.Length > 0;
}
