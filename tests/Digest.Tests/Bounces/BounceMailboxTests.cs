using Digest.Bounces;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Tests.Sink;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Digest.Tests.Bounces;

/// <summary>
/// The bounce reader against a real Dovecot on loopback: reports are appended over IMAP, `digest bounces`
/// reads them, and the assertions are on what an admin sees: the command's output, the suppression list,
/// `status`, and which folder each report ended up in.
/// </summary>
public sealed class BounceMailboxTests(DovecotFixture dovecot) : SinkTest, IClassFixture<DovecotFixture>
{
    private const string BounceAddress = "bounces@weekly-verdicts.example.com";
    private string _user = "";

    public override Task InitializeAsync()
    {
        Ws.Settings["Digest:Bounces:Address"] = BounceAddress;
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Alpha vs Beta"));
        if (File.Exists(DovecotFixture.Binary))
        {
            var mailbox = dovecot.NewMailbox();
            _user = mailbox["Digest:Bounces:Imap:Username"]!;
            foreach (var (key, value) in mailbox) Ws.Settings[key] = value;
        }
        return Task.CompletedTask;
    }

    [RequiresDovecotFact]
    public async Task Hard_bounce_and_complaint_suppress_the_reader_soft_bounce_is_counted_and_every_report_is_moved()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        var ada = Sent("ada@example.com");
        var grace = Sent("grace@example.com");
        var alan = Sent("alan@example.com");
        await dovecot.AppendAsync(_user,
            Reports.Dsn(ada.From, "ada@example.com", "5.1.1", "550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown", ada.Parse()),
            Reports.Dsn(alan.From, "alan@example.com", "4.2.2", "452 4.2.2 Mailbox full", alan.Parse(), subject: "Delayed Mail (still being retried)", action: "delayed"),
            // Feedback loops write to the plain address and quote the message as delivered: matched by its Message-ID.
            Reports.Complaint(BounceAddress, "grace@example.com", grace.Parse()),
            Reports.BrokenReport(BounceAddress),
            Reports.DsnWithoutStatusCode(BounceAddress, "ada@example.com"),
            Reports.HumanReply(BounceAddress));

        var result = await Ws.RunAsync("bounces");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("6 read, 1 hard bounces, 1 soft bounces, 1 complaints, 2 suppressed, 3 unmatched, 0 seen before, 6 moved.", result.Output);
        Assert.Contains("HardBounce for ada@example.com, edition 1 (5.1.1 smtp; 550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown), matched by return path; suppressed", result.Output);
        Assert.Contains("SoftBounce for alan@example.com, edition 1 (4.2.2 smtp; 452 4.2.2 Mailbox full), matched by return path; 1 in a row", result.Output);
        Assert.Contains("Complaint for grace@example.com, edition 1 (feedback-type abuse), matched by Message-ID; suppressed", result.Output);
        Assert.Contains("without a message/delivery-status or message/feedback-report part", result.Output);
        Assert.Contains("Status is missing or not a code", result.Output);
        Assert.Contains("not a delivery report: text/plain", result.Output);

        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("ada@example.com,HardBounce", suppressions);
        Assert.Contains("grace@example.com,Complaint", suppressions);
        Assert.DoesNotContain("alan@example.com", suppressions);

        Assert.Empty(await dovecot.SubjectsAsync(_user, "INBOX"));
        Assert.Equal(["Undelivered Mail Returned to Sender", "Delayed Mail (still being retried)", "Complaint about a message"],
            await dovecot.SubjectsAsync(_user, "Digest/Processed"));
        Assert.Equal(["Delivery failure (broken report)", "Returned mail: see transcript", "Re: Weekly AI Tool Verdicts #1"],
            await dovecot.SubjectsAsync(_user, "Digest/Unmatched"));

        var status = await Ws.RunAsync("status");
        Assert.Contains($"Bounce mailbox: imap 127.0.0.1:{dovecot.Port} INBOX", status.Output);
        Assert.Contains($"Return path: VERP {BounceAddress}", status.Output);
        Assert.Matches(@"#1\s+1\s+1\s+1", status.Output);
    }

    [RequiresDovecotFact]
    public async Task A_rerun_or_a_report_delivered_twice_counts_nothing_twice()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        var alan = Sent("alan@example.com");
        var soft = Reports.Dsn(alan.From, "alan@example.com", "4.2.2", "452 4.2.2 Mailbox full", alan.Parse());
        await dovecot.AppendAsync(_user, soft);
        var first = await Ws.RunAsync("bounces");
        var again = await Ws.RunAsync("bounces");
        // The same report delivered into the mailbox a second time (a relay that retried, a restored backup).
        await dovecot.AppendAsync(_user, soft);
        var duplicate = await Ws.RunAsync("bounces");

        Assert.Contains("1 read, 0 hard bounces, 1 soft bounces", first.Output);
        Assert.Contains("0 read,", again.Output);
        Assert.Contains("1 read, 0 hard bounces, 0 soft bounces, 0 complaints, 0 suppressed, 0 unmatched, 1 seen before, 1 moved.", duplicate.Output);
        Assert.Contains("seen before: SoftBounce for alan@example.com, edition 1; not counted again", duplicate.Output);
        using var services = Ws.Services();
        Assert.Single(services.GetRequiredService<IBounceLedger>().ForAddress("alan@example.com"));
        Assert.Equal(2, (await dovecot.SubjectsAsync(_user, "Digest/Processed")).Count);
    }

    [RequiresDovecotFact]
    public async Task Soft_bounces_suppress_after_the_limit_of_editions_in_a_row_and_an_edition_without_one_resets_the_count()
    {
        var paths = SeedEditions(3, "grace@example.com", "alan@example.com");
        MimeMessage Soft(string email, int edition) =>
            Reports.Dsn(paths[(email, edition)], email, "4.2.2", "452 4.2.2 Mailbox full", original: null, subject: $"soft {email} #{edition}");

        await dovecot.AppendAsync(_user, Soft("grace@example.com", 1), Soft("grace@example.com", 2), Soft("alan@example.com", 1), Soft("alan@example.com", 3));
        var twoEditions = await Ws.RunAsync("bounces");
        await dovecot.AppendAsync(_user, Soft("grace@example.com", 3));
        var threeEditions = await Ws.RunAsync("bounces");

        Assert.Contains("SoftBounce for grace@example.com, edition 2 (4.2.2 smtp; 452 4.2.2 Mailbox full), matched by return path; 2 in a row", twoEditions.Output);
        Assert.Contains("SoftBounce for alan@example.com, edition 3 (4.2.2 smtp; 452 4.2.2 Mailbox full), matched by return path; 1 in a row", twoEditions.Output);
        Assert.Contains("0 suppressed", twoEditions.Output);
        Assert.Contains("SoftBounce for grace@example.com, edition 3 (4.2.2 smtp; 452 4.2.2 Mailbox full), matched by return path; suppressed", threeEditions.Output);
        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("grace@example.com,SoftBounces", suppressions);
        Assert.Contains("3 editions in a row bounced softly", suppressions);
        Assert.DoesNotContain("alan@example.com", suppressions);
    }

    [RequiresDovecotFact]
    public async Task A_forged_return_path_matches_nothing_and_the_report_is_kept_and_logged()
    {
        var paths = SeedEditions(1, "ada@example.com");
        var genuine = paths[("ada@example.com", 1)];
        var forged = genuine[..(genuine.IndexOf('@') - 4)] + "0000" + genuine[genuine.IndexOf('@')..];
        await dovecot.AppendAsync(_user, Reports.Dsn(forged, "ada@example.com", "5.1.1", "550 5.1.1 User unknown", original: null));
        var logs = new LogCapture();
        using var services = Ws.Services(log: logs);

        var run = await services.GetRequiredService<BounceReader>().ReadOnceAsync(CancellationToken.None);

        Assert.Equal(1, run.Unmatched);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning: Bounce mailbox message 1 \"Undelivered Mail Returned to Sender\" kept unmatched: matches no delivery", StringComparison.Ordinal)
                                         && l.Contains($"no valid return path among {forged}", StringComparison.Ordinal));
        Assert.False(services.GetRequiredService<Digest.Subscribers.ISuppressions>().Contains("ada@example.com"));
        Assert.Equal(["Undelivered Mail Returned to Sender"], await dovecot.SubjectsAsync(_user, "Digest/Unmatched"));
    }

    [RequiresDovecotFact]
    public async Task A_report_forged_with_a_message_id_anyone_can_compute_suppresses_nobody()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        // The List-Id is in every mail and the address is the victim's: that was all the Message-ID was made of.
        await dovecot.AppendAsync(_user,
            Reports.Complaint(BounceAddress, "ada@example.com", Original(PublicMessageId(1, "ada@example.com"), "ada@example.com")),
            Reports.Dsn(BounceAddress, "grace@example.com", "5.1.1", "550 5.1.1 User unknown", Original(PublicMessageId(1, "grace@example.com"), "grace@example.com")));

        var result = await Ws.RunAsync("bounces");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0 suppressed, 2 unmatched", result.Output);
        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
        Assert.Equal(2, (await dovecot.SubjectsAsync(_user, "Digest/Unmatched")).Count);
    }

    [RequiresDovecotFact]
    public async Task A_report_matched_only_by_an_unsigned_message_id_is_recorded_as_unverified_and_suppresses_nobody()
    {
        // Deliveries recorded before Message-IDs were signed carry the old, computable kind.
        using (var services = Ws.Services())
        {
            var at = new DateTime(2026, 11, 9, 9, 0, 0, DateTimeKind.Utc);
            services.GetRequiredService<IDeliveryLedger>().Plan(new Edition { Number = 1, CutOff = at, CreatedAt = at, CompletedAt = at },
            [
                new Digest.Ledger.DeliveryRecord
                {
                    Id = Digest.Ledger.DeliveryRecord.IdFor(1, 0), Edition = 1, Email = "ada@example.com", Key = "ada@example.com",
                    MessageId = PublicMessageId(1, "ada@example.com"), State = DeliveryState.Sent,
                },
            ]);
        }
        await dovecot.AppendAsync(_user, Reports.Complaint(BounceAddress, "ada@example.com", Original(PublicMessageId(1, "ada@example.com"), "ada@example.com")));

        var result = await Ws.RunAsync("bounces");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Complaint for ada@example.com, edition 1 (feedback-type abuse), matched by unsigned Message-ID; unverified, nobody suppressed", result.Output);
        Assert.Contains("0 complaints, 0 suppressed, 0 unmatched, 1 unverified", result.Output);
        Assert.Equal("email,reason,at,detail", (await Ws.RunAsync("suppressions")).Output.Trim());
    }

    [RequiresDovecotFact]
    public async Task An_unsubscribe_sent_to_the_mailto_of_list_unsubscribe_suppresses_the_reader_and_a_forged_one_nobody()
    {
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        var header = Sent("grace@example.com").Parse().Headers[HeaderId.ListUnsubscribe] ?? "";
        var mailto = System.Text.RegularExpressions.Regex.Match(header, "<mailto:([^?>]+)\\?subject=([^>]+)>");
        Assert.True(mailto.Success, header);
        // The mailto lands in the mailbox the bounce reader reads.
        Assert.Equal(BounceAddress, mailto.Groups[1].Value);
        var subject = Uri.UnescapeDataString(mailto.Groups[2].Value);
        await dovecot.AppendAsync(_user,
            Request("grace@example.com", mailto.Groups[1].Value, subject),
            Request("mallory@example.org", mailto.Groups[1].Value, "unsubscribe " + new string('A', 60)));

        var result = await Ws.RunAsync("bounces");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("unsubscribe request for grace@example.com by mail; suppressed → Digest/Processed", result.Output);
        Assert.Contains("an unsubscribe request whose token is not valid", result.Output);
        Assert.Contains("1 unsubscribed by mail, 1 unmatched", result.Output);
        var suppressions = (await Ws.RunAsync("suppressions")).Output;
        Assert.Contains("grace@example.com,Unsubscribed", suppressions);
        Assert.DoesNotContain("ada@example.com", suppressions);
        Assert.DoesNotContain("alan@example.com", suppressions);
    }

    [RequiresDovecotFact]
    public async Task The_worker_reads_the_mailbox_on_its_own_when_it_starts()
    {
        var paths = SeedEditions(1, "ada@example.com");
        await dovecot.AppendAsync(_user, Reports.Dsn(paths[("ada@example.com", 1)], "ada@example.com", "5.1.1", "550 5.1.1 User unknown", original: null));
        using var services = Ws.Services();
        var poller = ActivatorUtilities.CreateInstance<BouncePolling>(services);

        await poller.StartAsync(CancellationToken.None);
        // The report is moved after it is recorded: wait for the move, the last step.
        for (var i = 0; i < 100 && (await dovecot.SubjectsAsync(_user, "Digest/Processed")).Count == 0; i++) await Task.Delay(100);
        await poller.StopAsync(CancellationToken.None);

        Assert.True(services.GetRequiredService<Digest.Subscribers.ISuppressions>().Contains("ada@example.com"));
        Assert.Equal(["Undelivered Mail Returned to Sender"], await dovecot.SubjectsAsync(_user, "Digest/Processed"));
        Assert.Empty(await dovecot.SubjectsAsync(_user, "INBOX"));
    }

    [RequiresDovecotFact]
    public async Task Without_an_unmatched_folder_an_unreadable_report_stays_in_the_inbox()
    {
        Ws.Settings["Digest:Bounces:Imap:UnmatchedFolder"] = "";
        await dovecot.AppendAsync(_user, Reports.BrokenReport(BounceAddress));

        var result = await Ws.RunAsync("bounces");

        Assert.Contains("(left in place)", result.Output);
        Assert.Contains("1 unmatched, 0 seen before, 0 moved.", result.Output);
        Assert.Equal(["Delivery failure (broken report)"], await dovecot.SubjectsAsync(_user, "INBOX"));
    }

    [RequiresDovecotFact]
    public async Task A_wrong_password_is_reported_without_the_password()
    {
        Ws.Settings["Digest:Bounces:Imap:Password"] = "not-the-password";

        var result = await Ws.RunAsync("bounces");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot open the bounce mailbox imap 127.0.0.1:{dovecot.Port} INBOX as {_user}", result.Error);
        Assert.DoesNotContain("not-the-password", result.Error + result.Output);
    }

    private ReceivedMessage Sent(string email) => Assert.Single(Sink.To(email));

    /// <summary>The Message-ID Digest used to give every reader: computable by anyone from the public List-Id.</summary>
    private static string PublicMessageId(int edition, string email) =>
        $"digest.{edition}.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("weekly-verdicts.example.com\n" + email)), 0, 12)}@weekly-verdicts.example.com";

    /// <summary>What a mail client sends for a mailto: link of List-Unsubscribe.</summary>
    private static MimeMessage Request(string from, string to, string subject)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "" };
        return message;
    }

    /// <summary>A message made up by a forger to quote in a report.</summary>
    private static MimeMessage Original(string messageId, string to)
    {
        var message = new MimeMessage { MessageId = messageId, Subject = "Weekly AI Tool Verdicts #1" };
        message.From.Add(MailboxAddress.Parse("digest@weekly-verdicts.example.com"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "Hi" };
        return message;
    }

    /// <summary>Editions 1..n, each sent to the readers, as the ledger records them; returns each delivery's VERP return path.</summary>
    private Dictionary<(string, int), string> SeedEditions(int editions, params string[] readers)
    {
        using var services = Ws.Services();
        var ledger = services.GetRequiredService<IDeliveryLedger>();
        var builder = services.GetRequiredService<MessageBuilder>();
        var returnPaths = services.GetRequiredService<ReturnPaths>();
        var paths = new Dictionary<(string, int), string>();
        for (var n = 1; n <= editions; n++)
        {
            var at = new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc).AddDays(7 * n);
            var deliveries = readers.Select((email, i) => new Digest.Ledger.DeliveryRecord
            {
                Id = Digest.Ledger.DeliveryRecord.IdFor(n, i), Edition = n, Email = email, Key = email,
                MessageId = builder.MessageIdFor(n, i, email), State = DeliveryState.Sent,
            }).ToList();
            ledger.Plan(new Edition { Number = n, CutOff = at, CreatedAt = at, CompletedAt = at }, deliveries);
            foreach (var d in deliveries) paths[(d.Email, n)] = returnPaths.For(d.Id)!.Address;
        }
        return paths;
    }
}
