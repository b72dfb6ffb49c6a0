using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Digest.Subscribers;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Http;

/// <summary>
/// Signup with double opt-in on the listener of `digest run`, over real HTTP on loopback: the confirmation mail
/// is read at the SMTP sink and its link followed as a reader's mail client would; the next edition is then sent
/// by `send-now` on the same store.
/// </summary>
[Collection(InProcessWorkers.Name)]
public sealed partial class SignupTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    private DateTime _firstSentAt;

    public override async Task InitializeAsync()
    {
        RunningWorker.Configure(Ws);
        Ws.Settings["Digest:Signup:Enabled"] = "true";
        // Edition 1 to the file's readers; it also imports the comparison whose category readers may choose.
        var first = await Ws.RunAsync("send-now");
        Assert.True(first.ExitCode == 0, first.ToString());
        _firstSentAt = DateTime.UtcNow;
    }

    [Fact]
    public async Task A_reader_who_signs_up_and_confirms_by_POST_gets_the_next_edition_once()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            var answer = await SignUpAsync(worker, "Lin@Example.org", "Lin Wu");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("Check your inbox", await answer.Content.ReadAsStringAsync());

            var link = ConfirmLinkIn("lin@example.org");
            var page = await worker.Http.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<button type=\"submit\">Confirm</button>", await page.Content.ReadAsStringAsync());
            Assert.DoesNotContain("lin@example.org", (await Ws.RunAsync("subscribers")).Output, StringComparison.OrdinalIgnoreCase);

            var confirmed = await worker.Http.PostAsync(link, new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains("You are subscribed", await confirmed.Content.ReadAsStringAsync());
        }

        Assert.Contains("Lin@Example.org,Lin Wu,,signup", (await Ws.RunAsync("subscribers")).Output);
        var next = await SendNextEditionAsync();
        Assert.Contains("Edition 2: 4 sent", next.Output);
        var edition = Assert.Single(Sink.To("lin@example.org"), m => m.Parse().Headers["X-Digest-Edition"] == "2");
        Assert.Contains("Hi Lin", edition.Parse().TextBody);
    }

    [Fact]
    public async Task Following_the_link_with_GET_stores_nobody_and_the_next_edition_skips_them()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await SignUpAsync(worker, "lin@example.org");
            var page = await worker.Http.GetAsync(ConfirmLinkIn("lin@example.org"));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var next = await SendNextEditionAsync();
        Assert.Contains("Edition 2: 3 sent", next.Output);
        Assert.Single(Sink.To("lin@example.org"));
    }

    [Fact]
    public async Task A_JSON_signup_gets_202_and_the_answer_is_the_same_for_a_listed_a_new_and_a_suppressed_address()
    {
        Assert.Equal(0, (await Ws.RunAsync("unsubscribe", "alan@example.com")).ExitCode);
        await using var worker = await RunningWorker.StartAsync(Ws);
        var answers = new List<string>();
        foreach (var email in new[] { "ada@example.com", "lin@example.org", "alan@example.com" })
        {
            var response = await worker.Http.PostAsJsonAsync("/subscribe", new { email, categories = new[] { "developer tools" } });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
            Assert.Single(Sink.To(email), m => m.Parse().Subject?.StartsWith("Confirm", StringComparison.Ordinal) == true);
        }
        Assert.Single(answers.Distinct());
    }

    [Fact]
    public async Task A_reader_in_the_file_who_also_signs_up_gets_the_next_edition_once_with_the_file_s_details()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await SignUpAsync(worker, "ada@example.com", "Someone Else");
            Assert.Equal(HttpStatusCode.OK, (await worker.Http.PostAsync(ConfirmLinkIn("ada@example.com"), new FormUrlEncodedContent([]))).StatusCode);
        }

        var listed = (await Ws.RunAsync("subscribers")).Output;
        Assert.Contains("ada@example.com,Ada Lovelace,,file", listed);
        Assert.DoesNotContain("Someone Else", listed);
        Assert.Contains("Edition 2: 3 sent", (await SendNextEditionAsync()).Output);
        var edition = Assert.Single(Sink.To("ada@example.com"), m => m.Parse().Headers["X-Digest-Edition"] == "2");
        Assert.Contains("Hi Ada", edition.Parse().TextBody);
    }

    [Fact]
    public async Task A_reader_who_unsubscribed_comes_back_only_by_a_new_confirmation_and_an_older_link_is_refused()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await SignUpAsync(worker, "lin@example.org");
            var oldLink = ConfirmLinkIn("lin@example.org");
            Assert.Equal(HttpStatusCode.OK, (await worker.Http.PostAsync(oldLink, new FormUrlEncodedContent([]))).StatusCode);
            Assert.Equal(0, (await Ws.RunAsync("unsubscribe", "lin@example.org")).ExitCode);

            var replayed = await worker.Http.PostAsync(oldLink, new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
            Assert.Contains("sign up again", await replayed.Content.ReadAsStringAsync());
            Assert.Contains("lin@example.org,Unsubscribed", (await Ws.RunAsync("suppressions")).Output);

            await SignUpAsync(worker, "lin@example.org");
            var newLink = Sink.To("lin@example.org").Select(m => LinkIn(m.Parse())).Last();
            Assert.Equal(HttpStatusCode.OK, (await worker.Http.PostAsync(newLink, new FormUrlEncodedContent([]))).StatusCode);
        }

        Assert.DoesNotContain("lin@example.org", (await Ws.RunAsync("suppressions")).Output);
        await SendNextEditionAsync();
        Assert.Single(Sink.To("lin@example.org"), m => m.Parse().Headers["X-Digest-Edition"] == "2");
    }

    [Fact]
    public async Task A_reader_suppressed_for_a_spam_complaint_who_confirms_is_told_and_stays_suppressed()
    {
        using (var services = Ws.Services())
            services.GetRequiredService<ISuppressions>().Add("grace@example.com", SuppressionReason.Complaint, "feedback loop");
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await SignUpAsync(worker, "grace@example.com");
            var confirmed = await worker.Http.PostAsync(ConfirmLinkIn("grace@example.com"), new FormUrlEncodedContent([]));
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains("a spam report was received from <strong>grace@example.com</strong>", await confirmed.Content.ReadAsStringAsync());
        }

        Assert.Contains("grace@example.com,Complaint", (await Ws.RunAsync("suppressions")).Output);
        await SendNextEditionAsync();
        Assert.DoesNotContain(Sink.To("grace@example.com"), m => m.Parse().Headers["X-Digest-Edition"] == "2");
    }

    [Fact]
    public async Task An_expired_or_tampered_link_is_refused_and_stores_nobody()
    {
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await SignUpAsync(worker, "lin@example.org");
            var link = ConfirmLinkIn("lin@example.org");
            var tampered = link[..^3] + (link[^3] == 'A' ? "Bxy" : "Axy");
            // A genuine link, made with the workspace's key by a clock 49 hours back: past Digest:Signup:ConfirmWithin (48 h).
            var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-49));
            await using var then = Ws.Services(clock);
            var expired = "/subscribe/confirm?token=" + then.GetRequiredService<SignupTokens>().Create(new SignupRequest("kim@example.org", null, []));

            foreach (var bad in new[] { tampered, expired, "/subscribe/confirm?token=", "/subscribe/confirm?token=not-a-token" })
            {
                var post = await worker.Http.PostAsync(bad, new FormUrlEncodedContent([]));
                var get = await worker.Http.GetAsync(bad);
                Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
                Assert.DoesNotContain("<button", await get.Content.ReadAsStringAsync());
            }
            Assert.Contains("expired", await (await worker.Http.PostAsync(expired, new FormUrlEncodedContent([]))).Content.ReadAsStringAsync());
        }

        Assert.Equal("email,name,categories,source", (await Ws.RunAsync("subscribers")).Output.Split('\n').First().Trim());
        Assert.DoesNotContain("kim@example.org", (await Ws.RunAsync("subscribers")).Output);
        Assert.DoesNotContain("lin@example.org", (await Ws.RunAsync("subscribers")).Output);
    }

    [Fact]
    public async Task The_rate_limit_answers_429_to_a_client_past_its_requests()
    {
        Ws.Settings["Digest:Signup:RequestsPerClient"] = "3";
        await using var worker = await RunningWorker.StartAsync(Ws);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) statuses.Add((await SignUpAsync(worker, $"reader{i}@example.org")).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429], statuses);
        Assert.Empty(Sink.To("reader3@example.org"));
    }

    [Fact]
    public async Task An_address_gets_no_more_confirmation_mails_than_its_limit_and_the_answer_does_not_change()
    {
        Ws.Settings["Digest:Signup:MailsPerAddress"] = "2";
        await using var worker = await RunningWorker.StartAsync(Ws);

        var pages = new List<string>();
        for (var i = 0; i < 4; i++) pages.Add(await (await SignUpAsync(worker, "lin@example.org")).Content.ReadAsStringAsync());

        Assert.Equal(2, Sink.To("lin@example.org").Count);
        Assert.Single(pages.Distinct());
    }

    [Fact]
    public async Task A_filled_honeypot_gets_the_same_answer_and_nothing_is_mailed_or_stored()
    {
        await using var worker = await RunningWorker.StartAsync(Ws);

        var bot = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "bot@example.org"), new("website", "http://spam.example")]));
        var human = await SignUpAsync(worker, "lin@example.org");

        Assert.Equal(HttpStatusCode.OK, bot.StatusCode);
        Assert.Equal(await human.Content.ReadAsStringAsync(), await bot.Content.ReadAsStringAsync());
        Assert.Empty(Sink.To("bot@example.org"));
        Assert.DoesNotContain("bot@example.org", (await Ws.RunAsync("subscribers")).Output);
    }

    [Fact]
    public async Task A_field_too_long_an_invalid_address_or_an_unknown_category_gets_400_naming_the_field()
    {
        await using var worker = await RunningWorker.StartAsync(Ws);

        var longName = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "lin@example.org"), new("name", new string('n', 201))]));
        var invalid = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "not-an-address")]));
        var category = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "lin@example.org"), new("categories", "Knitting")]));
        var huge = await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "lin@example.org"), new("x", new string('x', 20_000))]));

        Assert.Equal(HttpStatusCode.BadRequest, longName.StatusCode);
        Assert.Contains("name is longer than 200 characters", await longName.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("email: &quot;not-an-address&quot; is not a valid email address", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, category.StatusCode);
        Assert.Contains("categories: &quot;Knitting&quot; is not a category of this list; choose among Developer Tools", await category.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Empty(Sink.To("lin@example.org"));
    }

    [Fact]
    public async Task The_site_s_origin_may_post_from_the_browser_and_another_origin_may_not()
    {
        Ws.Settings["Digest:Signup:AllowedOrigins:0"] = "https://weekly-verdicts.example.com";
        await using var worker = await RunningWorker.StartAsync(Ws);

        var allowed = await PreflightAsync(worker, "https://weekly-verdicts.example.com");
        var other = await PreflightAsync(worker, "https://evil.example.net");

        Assert.Equal("https://weekly-verdicts.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_listener_serves_the_form_with_a_box_for_each_category_the_list_sends_and_a_hidden_honeypot()
    {
        Ws.WriteComparisons("more.json", Samples.Comparison("gamma-vs-delta", "2026-11-20T11:00:00Z", category: "Agents & <Bots>"));
        Assert.Equal(0, (await Ws.RunAsync("import", Path.Combine(Ws.ImportPath, "more.json"))).ExitCode);
        await using var worker = await RunningWorker.StartAsync(Ws);

        var page = await worker.Http.GetStringAsync("/subscribe");

        Assert.Contains("<form method=\"post\">", page);
        Assert.Contains("<input type=\"email\" name=\"email\" required maxlength=\"254\">", page);
        Assert.Contains("<input type=\"checkbox\" name=\"categories\" value=\"Developer Tools\"> Developer Tools</label>", page);
        Assert.Contains("value=\"Agents &amp; &lt;Bots&gt;\"> Agents &amp; &lt;Bots&gt;</label>", page);
        Assert.Contains("<input type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">", page);
    }

    [Fact]
    public async Task With_signup_off_the_endpoints_are_404()
    {
        Ws.Settings["Digest:Signup:Enabled"] = "false";
        await using var worker = await RunningWorker.StartAsync(Ws);

        Assert.Equal(HttpStatusCode.NotFound, (await SignUpAsync(worker, "lin@example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.Http.GetAsync("/subscribe")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.Http.GetAsync("/subscribe/confirm?token=x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.Http.PostAsync("/subscribe/confirm?token=x", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Empty(Sink.To("lin@example.org"));
    }

    [Fact]
    public async Task The_subscribers_command_exports_both_sources_as_CSV_and_never_rewrites_the_file()
    {
        var before = await File.ReadAllBytesAsync(Ws.SubscribersPath);
        await using (var worker = await RunningWorker.StartAsync(Ws))
        {
            await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "lin@example.org"), new("name", "Lin, \"the\" Wu"), new("categories", "Developer Tools")]));
            await worker.Http.PostAsync(ConfirmLinkIn("lin@example.org"), new FormUrlEncodedContent([]));
        }
        var export = Path.Combine(Ws.Root, "readers.csv");

        var result = await Ws.RunAsync("subscribers", "--export", export);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("4 subscribers (3 from the file, 1 signed up) written to", result.Output);
        Assert.Equal(
            [
                "email,name,categories,source",
                "ada@example.com,Ada Lovelace,,file",
                "grace@example.com,Grace Hopper,,file",
                "alan@example.com,,,file",
                "lin@example.org,\"Lin, \"\"the\"\" Wu\",Developer Tools,signup",
            ],
            await File.ReadAllLinesAsync(export));
        Assert.Equal(before, await File.ReadAllBytesAsync(Ws.SubscribersPath));
    }

    [Fact]
    public async Task Signups_are_counted_at_metrics_by_outcome()
    {
        await using var worker = await RunningWorker.StartAsync(Ws);
        await SignUpAsync(worker, "lin@example.org");
        await worker.Http.PostAsync(ConfirmLinkIn("lin@example.org"), new FormUrlEncodedContent([]));
        await worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "bot@example.org"), new("website", "x")]));

        // A ceiling, not a wait: the exporter collects when scraped, and may lag the requests by one collection.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var scrape = "";
        string[] outcomes = ["mailed", "confirmed", "bot"];
        while (DateTime.UtcNow < deadline && !outcomes.All(o => scrape.Contains($"outcome=\"{o}\"")))
        {
            scrape = await worker.Http.GetStringAsync("/metrics");
            await Task.Delay(100);
        }

        foreach (var outcome in outcomes)
            Assert.Matches($@"digest_signups_total\{{[^}}]*outcome=""{outcome}""[^}}]*\}} 1\b", scrape);
    }

    private static Task<HttpResponseMessage> SignUpAsync(RunningWorker worker, string email, string? name = null) =>
        worker.Http.PostAsync("/subscribe", new FormUrlEncodedContent(
            name is null ? [new("email", email)] : [new("email", email), new("name", name)]));

    private static Task<HttpResponseMessage> PreflightAsync(RunningWorker worker, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/subscribe");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return worker.Http.SendAsync(request);
    }

    /// <summary>The confirmation link of the one confirmation mail at the sink for <paramref name="email"/>.</summary>
    private string ConfirmLinkIn(string email) =>
        LinkIn(Assert.Single(Sink.To(email), m => m.Parse().Subject?.StartsWith("Confirm", StringComparison.Ordinal) == true).Parse());

    private static string LinkIn(MimeKit.MimeMessage message)
    {
        Assert.StartsWith("Confirm your subscription", message.Subject);
        return ConfirmLink().Match(message.TextBody ?? "").Groups[1].Value is { Length: > 0 } link ? link : throw new Xunit.Sdk.XunitException("no link in " + message.TextBody);
    }

    private async Task<CliResult> SendNextEditionAsync()
    {
        // Published after the first edition's cut-off, so it makes edition 2.
        Ws.WriteComparisons("second.json", Samples.Comparison("gamma-vs-delta", _firstSentAt.ToString("O")));
        var result = await Ws.RunAsync("send-now");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [GeneratedRegex(@"(http://127\.0\.0\.1:\d+/subscribe/confirm\?token=[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();
}
