using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// SendGrid's signed event webhook, posted over real HTTP on loopback to `digest run` after a real send to the SMTP
/// sink: the documented event payload, signed as SendGrid signs it (ECDSA P-256 over timestamp + body) with a key
/// pair the test makes; Digest knows only the public key.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed class SendGridWebhookTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z")), IDisposable
{
    private const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    private const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public override async Task InitializeAsync()
    {
        RunningWorker.Configure(Ws);
        // What SendGrid's settings page shows as the verification key: the public key, base64 DER.
        Ws.Settings["Digest:Bounces:Webhooks:SendGrid:VerificationKey"] = Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 0, first.ToString());
    }

    [Fact]
    public async Task A_signed_batch_with_a_bounce_and_a_spam_report_suppresses_both_once_and_ignores_the_rest()
    {
        var body = Events(
            Bounce("ada@example.com", MessageIdOf("ada@example.com"), "evt-bounce"),
            SpamReport("alan@example.com", MessageIdOf("alan@example.com"), "evt-spam"),
            Delivered("grace@example.com", MessageIdOf("grace@example.com"), "evt-delivered"));
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await PostAsync(worker, body, _key, DateTimeOffset.UtcNow);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("recorded 2, duplicate 0, unmatched 0, ignored 1", await response.Content.ReadAsStringAsync());

            // SendGrid retries a batch it got no 2xx for: a new timestamp and signature, the same events.
            var again = await PostAsync(worker, body, _key, DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.Equal("recorded 0, duplicate 2, unmatched 0, ignored 1", await again.Content.ReadAsStringAsync());
        }

        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("ada@example.com,HardBounce", suppressions);
        Assert.Contains("alan@example.com,Complaint", suppressions);
        Assert.DoesNotContain("grace@example.com", suppressions);
        Ws.WriteComparisons("d.json", Samples.Comparison("gamma-vs-delta", "2026-11-21T10:00:00Z"));
        Assert.Contains("Edition 2: 1 sent", (await Ws.RunAsync("send-now")).Output);
        Assert.Single(Sink.To("ada@example.com"));
    }

    [Fact]
    public async Task A_bad_signature_an_altered_body_a_stale_timestamp_or_no_signature_gets_401_and_changes_nothing()
    {
        var body = Events(SpamReport("grace@example.com", MessageIdOf("grace@example.com"), "evt-1"));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(worker, body, otherKey, DateTimeOffset.UtcNow)).StatusCode);
            var now = DateTimeOffset.UtcNow;
            var altered = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid")
            {
                Content = new StringContent(Events(SpamReport("ada@example.com", MessageIdOf("ada@example.com"), "evt-1")), Encoding.UTF8, "application/json"),
            };
            altered.Headers.Add(SignatureHeader, Sign(_key, now, body));
            altered.Headers.Add(TimestampHeader, now.ToUnixTimeSeconds().ToString());
            Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Http.SendAsync(altered)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(worker, body, _key, DateTimeOffset.UtcNow.AddMinutes(-10))).StatusCode);
            var unsigned = await worker.Http.PostAsync("/webhooks/sendgrid", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
    }

    [Fact]
    public async Task A_verification_key_that_is_not_a_P256_public_key_stops_start_up_naming_the_setting()
    {
        using var rsa = RSA.Create(2048);
        Ws.Settings["Digest:Bounces:Webhooks:SendGrid:VerificationKey"] = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());

        var result = await Ws.RunAsync("run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Bounces:Webhooks:SendGrid:VerificationKey is not an ECDSA P-256 public key", result.Error);
    }

    private string MessageIdOf(string email) => Assert.Single(Sink.To(email)).Parse().MessageId!;

    private static Task<HttpResponseMessage> PostAsync(RunningWorker worker, string body, ECDsa key, DateTimeOffset at)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(SignatureHeader, Sign(key, at, body));
        request.Headers.Add(TimestampHeader, at.ToUnixTimeSeconds().ToString());
        return worker.Http.SendAsync(request);
    }

    /// <summary>As SendGrid's documentation verifies it: ECDSA with SHA-256 over the timestamp followed by the raw body, DER, base64.</summary>
    private static string Sign(ECDsa key, DateTimeOffset at, string body) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(at.ToUnixTimeSeconds() + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private static string Events(params object[] events) => JsonSerializer.Serialize(events);

    // The event shapes of SendGrid's Event Webhook reference ("bounce", "spamreport", "delivered"), with our Message-ID as smtp-id.
    private static Dictionary<string, object> Bounce(string email, string messageId, string id) => new()
    {
        ["email"] = email,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["smtp-id"] = $"<{messageId}>",
        ["event"] = "bounce",
        ["category"] = "cat facts",
        ["sg_event_id"] = id,
        ["sg_message_id"] = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        ["reason"] = "500 unknown recipient",
        ["status"] = "5.0.0",
        ["type"] = "bounce",
        ["bounce_classification"] = "Invalid Address",
    };

    private static Dictionary<string, object> SpamReport(string email, string messageId, string id) => new()
    {
        ["email"] = email,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["smtp-id"] = $"<{messageId}>",
        ["event"] = "spamreport",
        ["sg_event_id"] = id,
        ["sg_message_id"] = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    };

    private static Dictionary<string, object> Delivered(string email, string messageId, string id) => new()
    {
        ["email"] = email,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["smtp-id"] = $"<{messageId}>",
        ["event"] = "delivered",
        ["response"] = "250 OK",
        ["sg_event_id"] = id,
        ["sg_message_id"] = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    };

    public void Dispose() => _key.Dispose();
}
