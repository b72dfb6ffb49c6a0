namespace Digest;

/// <summary>
/// Every setting of Digest, bound from the <c>Digest</c> configuration section. The defaults are the
/// embedded ones a fresh clone runs on: local files only, mail written to an outbox folder.
/// </summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";

    public StoreOptions Store { get; set; } = new();
    public SubscribersOptions Subscribers { get; set; } = new();
    public TemplatesOptions Templates { get; set; } = new();
    public OutboxOptions Outbox { get; set; } = new();
    public ImportOptions Import { get; set; } = new();
    public ScheduleOptions Schedule { get; set; } = new();
    public EditionOptions Edition { get; set; } = new();
    public SenderOptions Sender { get; set; } = new();
    public UnsubscribeOptions Unsubscribe { get; set; } = new();
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// SMTP relays in order of preference, each with its own connections and rate; when one is down, traffic
    /// moves to the next. Empty: <see cref="Smtp"/> is the only relay.
    /// </summary>
    public List<SmtpOptions> Relays { get; set; } = [];
    public DeliveryOptions Delivery { get; set; } = new();
    public HttpOptions Http { get; set; } = new();
    public DkimOptions Dkim { get; set; } = new();
    public BouncesOptions Bounces { get; set; } = new();
    public ArchiveOptions Archive { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
    public LedgerOptions Ledger { get; set; } = new();

    /// <summary>The list identifier used in the List-Id header (RFC 2919), e.g. <c>verdicts.example.com</c>.</summary>
    public string ListId { get; set; } = "weekly-verdicts.example.com";

    /// <summary>The list's display name, used in List-Id and in the templates.</summary>
    public string ListName { get; set; } = "Weekly AI Tool Verdicts";
}

public enum StoreProvider
{
    /// <summary>One embedded file (<see cref="StoreOptions.Path"/>): nothing to install, one machine.</summary>
    LiteDb,
    /// <summary>A PostgreSQL database (<see cref="StoreOptions.ConnectionString"/>) that several workers share.</summary>
    PostgreSql,
}

public sealed class StoreOptions
{
    public StoreProvider Provider { get; set; } = StoreProvider.LiteDb;

    /// <summary>The LiteDB file (Provider LiteDb).</summary>
    public string Path { get; set; } = "data/digest.db";

    /// <summary>
    /// Npgsql connection string (Provider PostgreSql), e.g. <c>Host=db;Database=digest;Username=digest</c>. Keep
    /// the password out of it: <see cref="PasswordFile"/>, or PGPASSWORD in the environment, which Npgsql reads.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file holding the database password (its first line); it wins over a password in the connection string.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>What logs and `status` show of the store: never the password.</summary>
    public string Describe() => Provider switch
    {
        StoreProvider.PostgreSql => "PostgreSQL " + Storage.PostgreSql.PostgreSqlConnection.Masked(ConnectionString),
        _ => System.IO.Path.GetFullPath(Path),
    };
}

public sealed class SubscribersOptions
{
    public string Path { get; set; } = "config/subscribers.json";

    /// <summary>The share by which the list may shrink from one edition to the next before planning is refused (0.5: half).</summary>
    public double MaxShrink { get; set; } = 0.5;

    /// <summary>Plan an edition even for an empty or much shrunk list (as `send-now --allow-empty` does).</summary>
    public bool AllowEmpty { get; set; }
}

public sealed class TemplatesOptions
{
    public string Path { get; set; } = "templates";
}

public sealed class OutboxOptions
{
    public string Path { get; set; } = "data/outbox";
}

public sealed class ImportOptions
{
    /// <summary>A folder whose JSON files are imported at start-up when they are new or changed; empty turns it off.</summary>
    public string Path { get; set; } = "config/comparisons";
}

public sealed class ScheduleOptions
{
    /// <summary>Quartz cron expression (seconds first). Default: Mondays at 09:00.</summary>
    public string Cron { get; set; } = "0 0 9 ? * MON";

    /// <summary><see cref="Cron"/> as Quartz reads it: a 5-field Unix cron gets its seconds field (<see cref="UnixCron"/>).</summary>
    public string QuartzCron => UnixCron.ToQuartz(Cron);
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// "09:00": each reader with a time zone gets the edition at this local time on the edition's day;
    /// readers without one get it when the schedule fires. Empty: everyone at the schedule's time.
    /// </summary>
    public string? LocalTime { get; set; }

    public TimeOnly? LocalTimeOfDay => TimeOnly.TryParse(LocalTime, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>
    /// With the PostgreSQL store, how often each worker records in the shared schedule that it is alive. A worker
    /// silent for two of these is written off and the runs it had taken are fired by another.
    /// </summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class EditionOptions
{
    public int MaxComparisons { get; set; } = 5;

    /// <summary>A comparison older than this when an edition is made is not sent any more; null: no limit.</summary>
    public TimeSpan? MaxAge { get; set; }
}

public sealed class SenderOptions
{
    public string Address { get; set; } = "digest@weekly-verdicts.example.com";
    public string Name { get; set; } = "Weekly AI Tool Verdicts";
    public string? ReplyTo { get; set; }

    /// <summary>
    /// The sender's postal address, printed in every mail's footer. CAN-SPAM requires one in commercial mail, so
    /// start-up warns when sending over SMTP without it.
    /// </summary>
    public string? PostalAddress { get; set; }

    /// <summary>The sender id that ends the Feedback-ID header (edition:list:sender), which Gmail's feedback loop reports spam rates by.</summary>
    public string FeedbackId { get; set; } = "digest";
}

public sealed class UnsubscribeOptions
{
    /// <summary>The public https address of the one-click unsubscribe endpoint; the token is appended as <c>?token=</c>.</summary>
    public string BaseUrl { get; set; } = "https://weekly-verdicts.example.com/unsubscribe";

    /// <summary>
    /// The address of the mailto variant of List-Unsubscribe; it must deliver into the bounce mailbox, which
    /// the bounce reader reads for these requests. Default: Digest:Bounces:Address. The mailto is offered only
    /// while Digest:Bounces:Imap:Host is set.
    /// </summary>
    public string? Mailto { get; set; }

    /// <summary>
    /// Base64 key (at least 32 bytes) for unsubscribe tokens, return paths and Message-IDs. Prefer <see cref="KeyFile"/>
    /// or the environment. Neither set: a key made once and kept beside the store (<c>data/digest.key</c>).
    /// </summary>
    public string? Key { get; set; }
    public string? KeyFile { get; set; }
}

public enum SmtpSecurity
{
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

public sealed class SmtpOptions
{
    /// <summary>The relay's name in logs and `status`.</summary>
    public string Name { get; set; } = "primary";

    /// <summary>What a thousand messages cost through this relay, for `status`; 0 when unknown or free.</summary>
    public decimal CostPerThousand { get; set; }

    /// <summary>Empty: no SMTP at all, every message is written to the outbox folder instead.</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>
    /// A copy of the relay's own certificate (PEM or DER), trusted for this relay although no CA vouches for it,
    /// e.g. Debian's /etc/ssl/certs/ssl-cert-snakeoil.pem. Pinned: only that exact certificate.
    /// </summary>
    public string? TrustedCertificateFile { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }

    /// <summary>How many SMTP connections send in parallel, each reused for many messages.</summary>
    public int Connections { get; set; } = 4;

    /// <summary>Messages per second over all connections; 0 is unlimited.</summary>
    public double MaxPerSecond { get; set; }

    /// <summary>How long one SMTP command may take before the connection is given up as stalled.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one message may take in all, opening the session included: a server that drips an endless
    /// reply a line at a time never trips <see cref="Timeout"/>, but it cannot pass this.
    /// </summary>
    public TimeSpan MessageDeadline { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed class DeliveryOptions
{
    /// <summary>Retries of one message within a run after a transient failure (4xx, dropped connection, timeout).</summary>
    public int Retries { get; set; } = 3;

    /// <summary>First retry delay; it doubles each time, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a deferred reader is retried, counted from their first deferral, before they are given up
    /// (state Failed); until then they are retried on a backoff of their own, as an MTA's queue does, and do
    /// not hold back the next edition.
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long a stop request waits for the messages in flight before it cuts them off.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a relay that failed is left alone before traffic is tried on it again.</summary>
    public TimeSpan RelayRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the sender lease lasts without renewal; a crashed holder's lease expires after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often a `run` worker on a store several workers share (PostgreSQL) looks for an edition another worker
    /// is sending, to send its share of it; also how soon the readers of a worker that died are taken up.
    /// </summary>
    public TimeSpan JoinInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class HttpOptions
{
    /// <summary>Where the unsubscribe listener binds, e.g. <c>http://0.0.0.0:8080</c> (several separated by <c>;</c>); empty: no listener.</summary>
    public string? Urls { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Urls);
}

public sealed class DkimOptions
{
    /// <summary>The signing domain (d=), normally the sender's domain so DMARC aligns; empty: no signing.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (s=): the public key is published at <c>selector._domainkey.domain</c>.</summary>
    public string? Selector { get; set; }

    /// <summary>PEM file with the RSA private key.</summary>
    public string? KeyFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain) || !string.IsNullOrWhiteSpace(Selector) || !string.IsNullOrWhiteSpace(KeyFile);
}

public sealed class BouncesOptions
{
    /// <summary>
    /// The bounce mailbox, e.g. <c>bounces@example.com</c>. Set: every message's envelope sender becomes
    /// <c>bounces+TOKEN@example.com</c> naming its delivery (VERP). Empty: the plain sender address.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>Consecutive editions that bounced softly (4.x.x) before the address is suppressed.</summary>
    public int SoftBounceLimit { get; set; } = 3;

    public BounceMailboxOptions Imap { get; set; } = new();

    /// <summary>Relays that report bounces and complaints by HTTP to the listener (Digest:Http:Urls).</summary>
    public BounceWebhooksOptions Webhooks { get; set; } = new();
}

public sealed class BounceWebhooksOptions
{
    public MailgunWebhookOptions Mailgun { get; set; } = new();
    public PostmarkWebhookOptions Postmark { get; set; } = new();
    public SendGridWebhookOptions SendGrid { get; set; } = new();
}

/// <summary>SendGrid's signed event webhook, served at <c>/webhooks/sendgrid</c> while <see cref="VerificationKey"/> is set.</summary>
public sealed class SendGridWebhookOptions
{
    /// <summary>
    /// The "Verification Key" SendGrid shows once signed event webhooks are on: its ECDSA P-256 public key, base64 DER.
    /// Every request's signature over timestamp + body is checked with it; it is public, not a secret.
    /// </summary>
    public string? VerificationKey { get; set; }

    /// <summary>How far a request's signed timestamp may be from now; older ones are refused as replays.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(VerificationKey);
}

/// <summary>Mailgun's webhooks, served at <c>/webhooks/mailgun</c> while <see cref="SigningKey"/> is set.</summary>
public sealed class MailgunWebhookOptions
{
    /// <summary>The "HTTP webhook signing key" of Mailgun's dashboard: every request's HMAC-SHA256 is checked with it.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How far a request's signed timestamp may be from now; older ones are refused as replays.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(SigningKey);
}

/// <summary>Postmark's bounce and spam-complaint webhooks, served at <c>/webhooks/postmark</c> while both credentials are set.</summary>
public sealed class PostmarkWebhookOptions
{
    /// <summary>The basic-auth user name put in the webhook URL configured at Postmark.</summary>
    public string? Username { get; set; }

    /// <summary>The basic-auth password put in the webhook URL configured at Postmark (at least 16 characters).</summary>
    public string? Password { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Username) || !string.IsNullOrWhiteSpace(Password);
}

/// <summary>The IMAP mailbox the bounce reader polls; off while <see cref="Host"/> is empty.</summary>
public sealed class BounceMailboxOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 993;

    /// <summary>The same choices as Digest:Smtp:Security; Auto means TLS on connect on 993, STARTTLS elsewhere.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }

    /// <summary>Where reports arrive.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>Reports that were read and recorded are moved here, never deleted ('/' separates levels).</summary>
    public string ProcessedFolder { get; set; } = "Digest/Processed";

    /// <summary>Reports that match no delivery or cannot be read go here for a human; empty leaves them in <see cref="Folder"/>.</summary>
    public string? UnmatchedFolder { get; set; } = "Digest/Unmatched";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one IMAP command may take before the server is given up as stalled.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class ArchiveOptions
{
    /// <summary>The folder every edition is written to as a static page, with an index.html, for a web server to publish.</summary>
    public string Path { get; set; } = "data/archive";

    /// <summary>The public address of that folder; set, the mail carries a "view in browser" link into it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The public address of an edition's page, or null when no <see cref="BaseUrl"/> is set.</summary>
    public string? UrlFor(int edition) =>
        string.IsNullOrWhiteSpace(BaseUrl) ? null : $"{BaseUrl.TrimEnd('/')}/{Digest.Archive.EditionArchive.FileName(edition)}";
}

public sealed class LedgerOptions
{
    /// <summary>
    /// Editions whose per-reader delivery records are kept (the newest ones); older editions keep only their
    /// counts, so the store stays the same size week after week.
    /// </summary>
    public int KeepEditions { get; set; } = 12;
}

public sealed class HealthOptions
{
    /// <summary>The file the running worker touches while it is alive; `digest health` reads its age.</summary>
    public string HeartbeatPath { get; set; } = "data/heartbeat";

    /// <summary>How often the worker touches it; `health` calls a heartbeat older than three of these stale.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);
}
