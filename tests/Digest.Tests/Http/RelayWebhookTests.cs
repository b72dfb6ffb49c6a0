using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// Mailgun's and Postmark's bounce webhooks, posted over real HTTP on loopback to `digest run` after a real
/// send to the SMTP sink, in the providers' documented payload shapes, signed with keys the test makes.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed class RelayWebhookTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private readonly string _mailgunKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly string _postmarkPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public override async Task InitializeAsync()
    {
        RunningWorker.Configure(Ws);
        Ws.Settings["Digest:Bounces:Webhooks:Mailgun:SigningKey"] = _mailgunKey;
        Ws.Settings["Digest:Bounces:Webhooks:Postmark:Username"] = "postmark";
        Ws.Settings["Digest:Bounces:Webhooks:Postmark:Password"] = _postmarkPassword;
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 0, first.ToString());
    }

    [Fact]
    public async Task A_signed_Mailgun_permanent_failure_suppresses_the_reader_once_and_the_next_edition_skips_them()
    {
        var messageId = Assert.Single(Sink.To("grace@example.com")).Parse().MessageId!;
        var eventData = MailgunFailure("grace@example.com", messageId, "evt-1");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await PostMailgunAsync(worker, eventData, _mailgunKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("recorded", await response.Content.ReadAsStringAsync());

            // Mailgun retries with a new token; the same event is counted once.
            var again = await PostMailgunAsync(worker, eventData, _mailgunKey);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Contains("duplicate", await again.Content.ReadAsStringAsync());
        }

        Assert.Contains("grace@example.com,HardBounce", (await Ws.RunAsync("suppressions")).Output);
        var status = (await Ws.RunAsync("status")).Output;
        Assert.Matches(@"#1\s+1\s+0\s+0", status);
        Ws.WriteComparisons("d.json", Samples.Comparison("gamma-vs-delta", "2026-11-21T10:00:00Z"));
        Assert.Contains("Edition 2: 2 sent", (await Ws.RunAsync("send-now")).Output);
        Assert.Single(Sink.To("grace@example.com"));
    }

    [Fact]
    public async Task A_Mailgun_complaint_signed_with_another_key_gets_401_and_changes_nothing()
    {
        var messageId = Assert.Single(Sink.To("grace@example.com")).Parse().MessageId!;
        var complaint = MailgunComplaint("grace@example.com", messageId, "evt-2");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var forged = await PostMailgunAsync(worker, complaint, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            var stale = await PostMailgunAsync(worker, complaint, _mailgunKey, DateTimeOffset.UtcNow.AddMinutes(-10));
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
            var unsigned = await worker.Http.PostAsync("/webhooks/mailgun", Json(new Dictionary<string, object> { ["event-data"] = complaint }));
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
        Assert.Contains("Bounces and complaints reported later: none", (await Ws.RunAsync("status")).Output);
    }

    [Fact]
    public async Task A_replayed_Mailgun_request_gets_401_even_with_a_good_signature()
    {
        var messageId = Assert.Single(Sink.To("grace@example.com")).Parse().MessageId!;
        var body = Signed(MailgunComplaint("grace@example.com", messageId, "evt-3"), _mailgunKey, DateTimeOffset.UtcNow);
        await using var worker = await RunningWorker.StartAsync(Ws);

        Assert.Equal(HttpStatusCode.OK, (await worker.Http.PostAsync("/webhooks/mailgun", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Http.PostAsync("/webhooks/mailgun", Json(body))).StatusCode);

        Assert.Contains("grace@example.com,Complaint", (await Ws.RunAsync("suppressions")).Output);
    }

    [Fact]
    public async Task Postmark_bounce_and_spam_complaint_with_the_right_credentials_suppress_and_with_wrong_ones_get_401()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var wrong = await PostPostmarkAsync(worker, PostmarkBounce("ada@example.com", 4323372036854775807), "postmark", "not-the-password-at-all");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            var none = await worker.Http.PostAsync("/webhooks/postmark", Json(PostmarkBounce("ada@example.com", 4323372036854775807)));
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());

            var bounce = await PostPostmarkAsync(worker, PostmarkBounce("ada@example.com", 4323372036854775807), "postmark", _postmarkPassword);
            Assert.Equal(HttpStatusCode.OK, bounce.StatusCode);
            Assert.Contains("recorded", await bounce.Content.ReadAsStringAsync());
            var complaint = await PostPostmarkAsync(worker, PostmarkSpamComplaint("alan@example.com", 4323372036854775808), "postmark", _postmarkPassword);
            Assert.Equal(HttpStatusCode.OK, complaint.StatusCode);
            var again = await PostPostmarkAsync(worker, PostmarkSpamComplaint("alan@example.com", 4323372036854775808), "postmark", _postmarkPassword);
            Assert.Contains("duplicate", await again.Content.ReadAsStringAsync());
        }

        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("ada@example.com,HardBounce", suppressions);
        Assert.Contains("alan@example.com,Complaint", suppressions);
        Assert.DoesNotContain("grace@example.com", suppressions);
    }

    // Mailgun's "failed" event as its webhook documentation shows it (event-data), trimmed of fields Digest does not read.
    private static Dictionary<string, object?> MailgunFailure(string recipient, string messageId, string id) => new()
    {
        ["id"] = id,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
        ["log-level"] = "error",
        ["event"] = "failed",
        ["severity"] = "permanent",
        ["reason"] = "bounce",
        ["recipient"] = recipient,
        ["recipient-domain"] = "example.com",
        ["envelope"] = new Dictionary<string, object> { ["transport"] = "smtp", ["sender"] = "bob@sandbox.mailgun.org", ["targets"] = recipient },
        ["message"] = new Dictionary<string, object>
        {
            ["headers"] = new Dictionary<string, object> { ["to"] = recipient, ["message-id"] = messageId, ["from"] = "Digest <digest@example.com>", ["subject"] = "Weekly AI Tool Verdicts" },
            ["attachments"] = Array.Empty<object>(),
            ["size"] = 111,
        },
        ["delivery-status"] = new Dictionary<string, object>
        {
            ["attempt-no"] = 1,
            ["message"] = "",
            ["code"] = 550,
            ["enhanced-code"] = "5.1.1",
            ["description"] = "550 5.1.1 The email account that you tried to reach does not exist.",
            ["session-seconds"] = 0.4,
        },
        ["flags"] = new Dictionary<string, object> { ["is-routed"] = false, ["is-authenticated"] = true, ["is-system-test"] = false, ["is-test-mode"] = false },
        ["tags"] = Array.Empty<string>(),
        ["user-variables"] = new Dictionary<string, object>(),
    };

    private static Dictionary<string, object?> MailgunComplaint(string recipient, string messageId, string id) => new()
    {
        ["id"] = id,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
        ["log-level"] = "warn",
        ["event"] = "complained",
        ["recipient"] = recipient,
        ["message"] = new Dictionary<string, object> { ["headers"] = new Dictionary<string, object> { ["to"] = recipient, ["message-id"] = messageId } },
        ["tags"] = Array.Empty<string>(),
    };

    // Postmark's bounce webhook example (developer docs, "Bounce webhook").
    private static Dictionary<string, object?> PostmarkBounce(string email, long id) => new()
    {
        ["RecordType"] = "Bounce",
        ["MessageStream"] = "outbound",
        ["ID"] = id,
        ["Type"] = "HardBounce",
        ["TypeCode"] = 1,
        ["Name"] = "Hard bounce",
        ["Tag"] = "Test",
        ["MessageID"] = "883953f4-6105-42a2-a16a-77a8eac79483",
        ["Metadata"] = new Dictionary<string, string> { ["a_key"] = "a_value" },
        ["ServerID"] = 23,
        ["Description"] = "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        ["Details"] = "Test bounce details",
        ["Email"] = email,
        ["From"] = "sender@example.com",
        ["BouncedAt"] = "2019-11-05T16:33:54.9070259Z",
        ["DumpAvailable"] = true,
        ["Inactive"] = true,
        ["CanActivate"] = true,
        ["Subject"] = "Test subject",
        ["Content"] = "Test content",
    };

    // Postmark's spam complaint webhook example.
    private static Dictionary<string, object?> PostmarkSpamComplaint(string email, long id) => new()
    {
        ["RecordType"] = "SpamComplaint",
        ["MessageStream"] = "outbound",
        ["ID"] = id,
        ["Type"] = "SpamComplaint",
        ["TypeCode"] = 512,
        ["Name"] = "Spam complaint",
        ["Tag"] = "Test",
        ["MessageID"] = "00000000-0000-0000-0000-000000000000",
        ["ServerID"] = 1234,
        ["Description"] = "",
        ["Details"] = "Test spam complaint details",
        ["Email"] = email,
        ["From"] = "sender@example.com",
        ["BouncedAt"] = "2019-11-05T16:33:54.9070259Z",
        ["DumpAvailable"] = true,
        ["Inactive"] = true,
        ["CanActivate"] = false,
        ["Subject"] = "Test subject",
        ["Content"] = "<Abuse report dump>",
    };

    private static Dictionary<string, object> Signed(object eventData, string key, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token)));
        return new Dictionary<string, object>
        {
            ["signature"] = new Dictionary<string, string> { ["timestamp"] = timestamp, ["token"] = token, ["signature"] = signature },
            ["event-data"] = eventData,
        };
    }

    private static Task<HttpResponseMessage> PostMailgunAsync(RunningWorker worker, object eventData, string key, DateTimeOffset? at = null) =>
        worker.Http.PostAsync("/webhooks/mailgun", Json(Signed(eventData, key, at ?? DateTimeOffset.UtcNow)));

    private static Task<HttpResponseMessage> PostPostmarkAsync(RunningWorker worker, object payload, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/postmark") { Content = Json(payload) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return worker.Http.SendAsync(request);
    }

    private static StringContent Json(object payload) => new(JsonSerializer.Serialize(payload), Encoding.UTF8, "application/json");
}

/// <summary>The webhook settings are checked at start-up, with messages naming the key and never echoing a secret.</summary>
public sealed class RelayWebhookSettingsTests : WorkspaceTest
{
    [Fact]
    public async Task A_short_Postmark_password_and_a_Mailgun_key_without_a_listener_are_refused_naming_the_keys()
    {
        Ws.Settings["Digest:Bounces:Webhooks:Mailgun:SigningKey"] = "key-123";
        Ws.Settings["Digest:Bounces:Webhooks:Postmark:Username"] = "postmark";
        Ws.Settings["Digest:Bounces:Webhooks:Postmark:Password"] = "hunter2";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Bounces:Webhooks:Mailgun:SigningKey is set but Digest:Http:Urls is not", result.Error);
        Assert.Contains("Digest:Bounces:Webhooks:Postmark:Password must be at least 16 characters, was 7", result.Error);
        Assert.DoesNotContain("hunter2", result.Error);
        Assert.DoesNotContain("key-123", result.Error);
    }

    [Fact]
    public async Task A_misspelt_webhook_setting_is_refused_with_the_key_it_probably_meant()
    {
        Ws.Settings["Digest:Bounces:Webhooks:Mailgun:SigningKy"] = "key-123";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Bounces:Webhooks:Mailgun:SigningKy is not a Digest setting", result.Error);
        Assert.Contains("did you mean Digest:Bounces:Webhooks:Mailgun:SigningKey?", result.Error);
    }
}
