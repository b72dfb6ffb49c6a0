using System.Text.RegularExpressions;
using MimeKit;

namespace Digest.Bounces;

public enum ReportKind
{
    /// <summary>A permanent failure, Status 5.x.x: the address is suppressed.</summary>
    HardBounce,
    /// <summary>A transient failure, Status 4.x.x: counted; suppressed after Digest:Bounces:SoftBounceLimit editions in a row.</summary>
    SoftBounce,
    /// <summary>The reader marked the message as spam (ARF): suppressed at once.</summary>
    Complaint,
}

/// <summary>
/// What a bounce (RFC 3464 delivery status notification) or a complaint (RFC 5965 ARF feedback report)
/// says about one of our messages, and the clues that tie it to a delivery.
/// </summary>
public sealed partial record DeliveryReport(
    ReportKind Kind,
    string Status,
    string? Recipient,
    string? Detail,
    IReadOnlyList<string> ReturnPathCandidates,
    string? OriginalMessageId)
{
    /// <summary>A report, or the reason the message is not one Digest can read.</summary>
    public static DeliveryReport? Parse(MimeMessage message, out string problem)
    {
        problem = "";
        var report = message.Body as MultipartReport;
        var original = message.BodyParts.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);
        var candidates = EnvelopeAddresses(message, original);

        if (message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault() is { } status)
            return FromDeliveryStatus(status, candidates, original, out problem);
        if (message.BodyParts.OfType<MessageFeedbackReport>().FirstOrDefault() is { } feedback)
            return FromFeedback(feedback, candidates, original, out problem);
        problem = report is null
            ? $"not a delivery report: {message.Body?.ContentType.MimeType ?? "no body"}, not multipart/report"
            : $"a multipart/report (report-type={report.ReportType}) without a message/delivery-status or message/feedback-report part";
        return null;
    }

    private static DeliveryReport? FromDeliveryStatus(MessageDeliveryStatus dsn, List<string> candidates, MimeMessage? original, out string problem)
    {
        problem = "";
        // The first group is about the message; each further group is one recipient (RFC 3464 2.1).
        var recipients = dsn.StatusGroups.Skip(1).ToList();
        var failed = recipients.FirstOrDefault(g => Action(g) == "failed")
                     ?? recipients.FirstOrDefault(g => Action(g) == "delayed")
                     ?? recipients.FirstOrDefault();
        if (failed is null)
        {
            problem = "a delivery status notification without a per-recipient group";
            return null;
        }
        var status = StatusCode().Match(failed["Status"]?.Trim() ?? "");
        if (!status.Success)
        {
            problem = $"a delivery status notification whose Status is missing or not a code: \"{failed["Status"]}\"";
            return null;
        }
        var kind = status.Value[0] switch
        {
            '5' => ReportKind.HardBounce,
            '4' => ReportKind.SoftBounce,
            _ => (ReportKind?)null,
        };
        if (kind is null)
        {
            problem = $"a delivery status notification that reports success (Status {status.Value}, Action {Action(failed)})";
            return null;
        }
        var recipient = AddressOf(failed["Original-Recipient"]) ?? AddressOf(failed["Final-Recipient"]);
        var detail = failed["Diagnostic-Code"] is { } diagnostic ? Unfold(diagnostic) : null;
        return new DeliveryReport(kind.Value, status.Value, recipient, detail, candidates, original?.MessageId);
    }

    private static DeliveryReport? FromFeedback(MessageFeedbackReport arf, List<string> candidates, MimeMessage? original, out string problem)
    {
        problem = "";
        var type = arf.Fields["Feedback-Type"]?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type))
        {
            problem = "a feedback report without a Feedback-Type";
            return null;
        }
        if (type == "not-spam")
        {
            problem = "a feedback report of type not-spam, not a complaint";
            return null;
        }
        if (arf.Fields["Original-Mail-From"] is { } mailFrom) candidates.Add(mailFrom.Trim().Trim('<', '>'));
        var recipient = AddressOf(arf.Fields["Original-Rcpt-To"]);
        return new DeliveryReport(ReportKind.Complaint, "", recipient, $"feedback-type {type}", candidates, original?.MessageId);
    }

    /// <summary>
    /// Where a VERP token may be: the address the report was delivered to (To, Delivered-To, X-Original-To),
    /// and the Return-Path the final server wrote into the quoted original.
    /// </summary>
    private static List<string> EnvelopeAddresses(MimeMessage message, MimeMessage? original)
    {
        var addresses = message.To.Mailboxes.Select(m => m.Address).ToList();
        foreach (var header in message.Headers.Where(h => h.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) || h.Field.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase)))
            addresses.Add(header.Value.Trim().Trim('<', '>'));
        if (original?.Headers[HeaderId.ReturnPath] is { } returnPath) addresses.Add(returnPath.Trim().Trim('<', '>'));
        return addresses;
    }

    private static string? Action(HeaderList group) => group["Action"]?.Trim().ToLowerInvariant();

    /// <summary>"rfc822; ada@example.com" → "ada@example.com".</summary>
    private static string? AddressOf(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return null;
        var semicolon = field.IndexOf(';');
        var address = (semicolon >= 0 ? field[(semicolon + 1)..] : field).Trim().Trim('<', '>');
        return address.Contains('@') ? address : null;
    }

    private static string Unfold(string value) => Regex.Replace(value, @"\s+", " ").Trim();

    [GeneratedRegex(@"^[245]\.\d{1,3}\.\d{1,3}")]
    private static partial Regex StatusCode();
}
