using System.Net;
using System.Text.RegularExpressions;
using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Http;

/// <summary>
/// The one-click unsubscribe listener of `digest run`, exercised with real HTTP requests on loopback against
/// the links in the mails that reached the SMTP sink; the next edition is then sent by `send-now` on the same store.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed partial class UnsubscribeListenerTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private DateTime _firstSentAt;

    public override async Task InitializeAsync()
    {
        // Not the default path: the route must follow the path of Digest:Unsubscribe:BaseUrl.
        RunningWorker.Configure(Ws, "/list/unsubscribe");
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 0, first.ToString());
        _firstSentAt = DateTime.UtcNow;
    }

    [Fact]
    public async Task A_one_click_POST_unsubscribes_and_the_next_edition_skips_that_reader()
    {
        var link = LinkIn("grace@example.com");
        Assert.Contains("/list/unsubscribe?token=", link);
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await OneClickAsync(worker, link);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<strong>grace@example.com</strong> will get no more", await response.Content.ReadAsStringAsync());
        }

        var next = await SendNextEditionAsync();
        Assert.Contains("Edition 2: 2 sent", next.Output);
        Assert.Single(Sink.To("grace@example.com"));
        Assert.Equal(2, Sink.To("ada@example.com").Count);
        Assert.Contains("grace@example.com,Unsubscribed", (await Ws.RunAsync("suppressions")).Output);
    }

    [Fact]
    public async Task Following_the_link_with_GET_shows_a_confirm_button_and_unsubscribes_nobody()
    {
        var link = LinkIn("grace@example.com");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await worker.Http.GetAsync(link);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("<form method=\"post\">", page);
            Assert.Contains("name=\"List-Unsubscribe\" value=\"One-Click\"", page);
            Assert.Contains("<button type=\"submit\">Unsubscribe</button>", page);
        }

        await SendNextEditionAsync();
        Assert.Equal(2, Sink.To("grace@example.com").Count);
        Assert.DoesNotContain("grace@example.com", (await Ws.RunAsync("suppressions")).Output);
    }

    [Fact]
    public async Task A_tampered_token_gets_400_with_the_same_page_for_any_address_and_changes_nothing()
    {
        var token = TokenIn(LinkIn("grace@example.com"));
        var mac = token[(token.IndexOf('.') + 1)..];
        // Grace's signature on other addresses: one on the list, one that never was; and a signature altered by one character.
        var forgedForListed = $"{Base64Url("ada@example.com")}.{mac}";
        var forgedForStranger = $"{Base64Url("nobody@example.com")}.{mac}";
        var altered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var pages = new List<string>();
            foreach (var forged in new[] { forgedForListed, forgedForStranger, altered, "", "not-a-token" })
            {
                var post = await OneClickAsync(worker, $"/list/unsubscribe?token={forged}");
                var get = await worker.Http.GetAsync($"/list/unsubscribe?token={forged}");
                Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
                pages.Add(await post.Content.ReadAsStringAsync());
                pages.Add(await get.Content.ReadAsStringAsync());
            }
            Assert.Single(pages.Distinct());
            Assert.DoesNotContain("example.com", pages[0]);
        }

        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
        await SendNextEditionAsync();
        Assert.Contains(Sink.Messages, m => m.Recipients.Contains("ada@example.com") && m.Parse().Headers["X-Digest-Edition"] == "2");
        Assert.Equal(2, Sink.To("grace@example.com").Count);
    }

    [Fact]
    public async Task A_POST_without_the_one_click_field_changes_nothing()
    {
        var link = LinkIn("grace@example.com");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var response = await worker.Http.PostAsync(link, new FormUrlEncodedContent([new("something", "else")]));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.DoesNotContain("grace@example.com", (await Ws.RunAsync("suppressions")).Output);
    }

    [Fact]
    public async Task Healthz_answers_200_while_the_worker_runs()
    {
        await using var worker = await RunningWorker.StartAsync(Ws);

        var response = await worker.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_link_shows_nothing_of_the_address_and_a_link_of_the_first_format_still_unsubscribes()
    {
        var link = LinkIn("grace@example.com");
        var token = TokenIn(link);
        Assert.DoesNotContain("grace", link, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Base64Url("grace@example.com"), link);
        Assert.DoesNotContain(Base64Url("grace@example.com")[..8], token);
        // Links mailed before the change carry base64url(address).mac; they are in readers' mailboxes and must keep working.
        var firstFormat = FirstFormatToken("ada@example.com");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            Assert.Equal(HttpStatusCode.OK, (await OneClickAsync(worker, link)).StatusCode);
            var old = await OneClickAsync(worker, $"/list/unsubscribe?token={firstFormat}");
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
            Assert.Contains("<strong>ada@example.com</strong> will get no more", await old.Content.ReadAsStringAsync());
        }

        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("grace@example.com,Unsubscribed", suppressions);
        Assert.Contains("ada@example.com,Unsubscribed", suppressions);
    }

    [Fact]
    public async Task The_worker_refuses_a_short_key_without_printing_it()
    {
        var key = Convert.ToBase64String(new byte[16]);
        Ws.Settings["Digest:Unsubscribe:Key"] = key;

        var result = await Ws.RunAsync("run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Unsubscribe:Key is 16 bytes; it must be at least 32", result.Error);
        Assert.DoesNotContain(key, result.Error + result.Output);
    }

    /// <summary>The https link of List-Unsubscribe in the mail the reader received, as their mail client sees it.</summary>
    private string LinkIn(string email)
    {
        var message = Assert.Single(Sink.To(email)).Parse();
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        return HttpLink().Match(message.Headers["List-Unsubscribe"] ?? "").Groups[1].Value;
    }

    private static string TokenIn(string link) => link[(link.IndexOf("token=", StringComparison.Ordinal) + "token=".Length)..];

    private static Task<HttpResponseMessage> OneClickAsync(RunningWorker worker, string link) =>
        worker.Http.PostAsync(link, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

    private async Task<CliResult> SendNextEditionAsync()
    {
        // Published after the first edition's cut-off, so it makes edition 2.
        Ws.WriteComparisons("second.json", Samples.Comparison("gamma-vs-delta", _firstSentAt.ToString("O")));
        var result = await Ws.RunAsync("send-now");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>A token as Digest made them before they were encrypted: base64url(address).base64url(HMAC-SHA256(list + address)[..16]).</summary>
    private string FirstFormatToken(string email)
    {
        var key = Convert.FromBase64String(Ws.Settings["Digest:Unsubscribe:Key"]!);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes("weekly-verdicts.example.com\n" + email))[..16];
        return $"{Base64Url(email)}.{Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }

    private static string Base64Url(string text) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));

    [GeneratedRegex("<(http[^>]+)>")]
    private static partial Regex HttpLink();
}
