namespace Digest.Validation;

public sealed class SenderOptionsValidator : SectionValidator<SenderOptions>
{
    protected override IEnumerable<(string, SenderOptions)> Sections(DigestOptions o) => [("Digest:Sender", o.Sender)];

    protected override void Check(string key, SenderOptions sender, List<string> errors)
    {
        if (!IsAddress(sender.Address))
            errors.Add($"{key}:Address is not a valid email address, was \"{sender.Address}\".");
        if (sender.ReplyTo is { Length: > 0 } replyTo && !IsAddress(replyTo))
            errors.Add($"{key}:ReplyTo is not a valid email address, was \"{replyTo}\".");
        // Feedback-ID fields are separated by colons; Gmail reads at most four of them.
        if (string.IsNullOrWhiteSpace(sender.FeedbackId) || sender.FeedbackId.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
            errors.Add($"{key}:FeedbackId must be a word without colons or spaces, was \"{sender.FeedbackId}\".");
    }
}
