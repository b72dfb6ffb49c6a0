using System.Security.Cryptography;
using Digest.Ledger;
using MailKit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Bounces;

/// <summary>
/// Reads the bounce mailbox once: each report is parsed, matched to its delivery (VERP return path, else
/// the original's Message-ID), recorded, and moved to the processed folder. Nothing is deleted: a report
/// that matches nothing or cannot be read is moved to the unmatched folder (or left) and logged, and one
/// bad message never stops the others.
/// </summary>
public sealed class BounceReader(
    ReturnPaths returnPaths,
    Digest.Messages.MessageIds messageIds,
    IBounceLedger bounces,
    IDeliveryLedger deliveries,
    Subscribers.UnsubscribeTokens tokens,
    Subscribers.ISuppressions suppressions,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<BounceReader> log,
    Metrics.DigestMetrics metrics)
{
    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.Bounces.Imap.Host);

    public async Task<BounceRun> ReadOnceAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Bounces.Imap;
        await using var mailbox = await ImapBounceMailbox.OpenAsync(o, cancellationToken);
        var run = new BounceRun(mailbox.Description);
        try
        {
            foreach (var uid in await mailbox.WaitingAsync(cancellationToken))
            {
                var entry = await ReadOneAsync(mailbox, uid, cancellationToken);
                run.Entries.Add(entry);
                var folder = entry.Matched ? o.ProcessedFolder : o.UnmatchedFolder;
                if (string.IsNullOrWhiteSpace(folder)) continue;
                await mailbox.MoveAsync(uid, folder, cancellationToken);
                entry.MovedTo = folder;
            }
        }
        catch (Exception e) when (ImapBounceMailbox.IsMailboxFailure(e))
        {
            // What was recorded stays recorded; the rest waits in the mailbox for the next poll.
            throw new BounceMailboxException($"the bounce mailbox {mailbox.Description} failed after {run.Entries.Count} reports: {e.Message}", e);
        }
        if (run.Entries.Count > 0)
            log.LogInformation(BounceEvents.MailboxRead, "Bounce mailbox {Mailbox}: {Read} read, {Hard} hard bounces, {Soft} soft bounces, {Complaints} complaints, {Suppressed} suppressed, {Unsubscribed} unsubscribed by mail, {Unmatched} unmatched, {Unverified} unverified, {Duplicates} seen before",
                run.Mailbox, run.Entries.Count, run.Count(ReportKind.HardBounce), run.Count(ReportKind.SoftBounce), run.Count(ReportKind.Complaint),
                run.Suppressed, run.Unsubscribed, run.Unmatched, run.Unverified, run.Duplicates);
        return run;
    }

    private async Task<BounceEntry> ReadOneAsync(ImapBounceMailbox mailbox, UniqueId uid, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            message = await mailbox.GetAsync(uid, cancellationToken);
        }
        catch (FormatException e)
        {
            return Unmatched(new BounceEntry(uid, "(unreadable)", null), $"cannot be parsed: {e.Message}");
        }
        var entry = new BounceEntry(uid, message.Subject ?? "(no subject)", null);
        try
        {
            var report = DeliveryReport.Parse(message, out var problem);
            if (report is null)
                return UnsubscribeRequest.TokenOf(message) is { } token ? Unsubscribe(entry, token) : Unmatched(entry, problem);
            entry = entry with { Report = report };
            var (delivery, how, verified) = Match(report);
            if (delivery is null)
                return Unmatched(entry, $"matches no delivery (no valid return path among {Quote(report.ReturnPathCandidates)}; Message-ID {report.OriginalMessageId ?? "not quoted"} unknown)");

            var received = message.Date == DateTimeOffset.MinValue ? clock.GetUtcNow().UtcDateTime : message.Date.UtcDateTime;
            var outcome = bounces.Record(ReportId(message), report, delivery, received, verified);
            entry = entry with { Delivery = delivery, MatchedBy = how, Outcome = outcome };
            if (!outcome.Duplicate) metrics.Report(report.Kind);
            if (!outcome.Duplicate)
                log.LogWarning(BounceEvents.ReportRecorded, "Edition {Edition}: {Kind} for {Email} ({Status} {Detail}), matched by {How}{Suppressed}",
                    delivery.Edition, report.Kind, delivery.Email, report.Status, report.Detail, how,
                    !verified ? "; unverified (neither a signed return path nor a signed Message-ID), so nobody is suppressed"
                    : outcome.Suppressed ? "; the address is suppressed" : report.Kind == ReportKind.SoftBounce ? $"; {outcome.SoftStreak} in a row" : "");
            return entry;
        }
        catch (Exception e) when (!ImapBounceMailbox.IsMailboxFailure(e) && e is not OperationCanceledException && !Storage.StoreFailure.Is(e))
        {
            // A report shaped in a way nobody foresaw must not stop the reader; it is kept for a human.
            log.LogError(BounceEvents.ReportFailed, e, "Bounce mailbox message {Uid} \"{Subject}\" could not be handled", uid, entry.Subject);
            return Unmatched(entry, $"could not be handled: {e.Message}");
        }
    }

    /// <summary>
    /// The delivery a report is about, and whether the report proves it: a signed return path or a signed
    /// Message-ID can only come from a message Digest sent. Anyone can mail the bounce mailbox, so a report
    /// matched any other way (a Message-ID of the older, unsigned kind) is recorded but suppresses nobody.
    /// </summary>
    private (Digest.Ledger.DeliveryRecord? Delivery, string How, bool Verified) Match(DeliveryReport report)
    {
        foreach (var address in report.ReturnPathCandidates)
            if (returnPaths.DeliveryIdOf(address) is { } id && deliveries.Find(id) is { } byReturnPath)
                return (byReturnPath, "return path", true);
        if (report.OriginalMessageId is { Length: > 0 } messageId && deliveries.FindByMessageId(messageId) is { } byMessageId)
            return messageIds.Verify(messageId, byMessageId.Edition, byMessageId.Key)
                ? (byMessageId, "Message-ID", true)
                : (byMessageId, "unsigned Message-ID", false);
        return (null, "", false);
    }

    /// <summary>
    /// A reader's unsubscribe by mail: the token proves the request comes from the mail that reader received,
    /// just as the https link's does; without a valid one it is kept for a human.
    /// </summary>
    private BounceEntry Unsubscribe(BounceEntry entry, string token)
    {
        if (tokens.Verify(token) is not { } email)
            return Unmatched(entry, "an unsubscribe request whose token is not valid (cut short, altered or forged)");
        if (suppressions.Add(email, Subscribers.SuppressionReason.Unsubscribed, "unsubscribe by mail"))
            log.LogInformation(BounceEvents.UnsubscribedByMail, "Unsubscribed {Email} by mail (List-Unsubscribe mailto)", email);
        return entry with { UnsubscribedAddress = email };
    }

    private BounceEntry Unmatched(BounceEntry entry, string reason)
    {
        log.LogWarning(BounceEvents.ReportUnmatched, "Bounce mailbox message {Uid} \"{Subject}\" kept unmatched: {Reason}", entry.Uid, entry.Subject, reason);
        return entry with { Problem = reason };
    }

    /// <summary>The report's Message-ID, or a hash of its bytes when it has none, so a rerun recognises it.</summary>
    private static string ReportId(MimeMessage message)
    {
        if (!string.IsNullOrWhiteSpace(message.MessageId)) return message.MessageId;
        using var bytes = new MemoryStream();
        message.WriteTo(bytes);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    }

    private static string Quote(IReadOnlyList<string> addresses) => addresses.Count == 0 ? "none" : string.Join(", ", addresses);
}

/// <summary>One message of the bounce mailbox and what became of it.</summary>
public sealed record BounceEntry(UniqueId Uid, string Subject, DeliveryReport? Report)
{
    public Digest.Ledger.DeliveryRecord? Delivery { get; init; }
    public string? MatchedBy { get; init; }
    public BounceOutcome? Outcome { get; init; }
    public string? Problem { get; init; }
    public string? MovedTo { get; set; }

    /// <summary>Set when the message was a reader's unsubscribe request by mail, and whose it was.</summary>
    public string? UnsubscribedAddress { get; init; }
    public bool Matched => Delivery is not null || UnsubscribedAddress is not null;
}

/// <summary>What one read of the bounce mailbox did.</summary>
public sealed class BounceRun(string mailbox)
{
    public string Mailbox { get; } = mailbox;
    public List<BounceEntry> Entries { get; } = [];
    public int Count(ReportKind kind) => Entries.Count(e => e.Matched && e.Outcome is { Duplicate: false, Unverified: false } && e.Report!.Kind == kind);
    public int Unsubscribed => Entries.Count(e => e.UnsubscribedAddress is not null);
    public int Unverified => Entries.Count(e => e.Outcome is { Duplicate: false, Unverified: true });
    public int Suppressed => Entries.Count(e => e.Outcome is { Suppressed: true });
    public int Unmatched => Entries.Count(e => !e.Matched);
    public int Duplicates => Entries.Count(e => e.Outcome is { Duplicate: true });
    public int Moved => Entries.Count(e => e.MovedTo is not null);
}
