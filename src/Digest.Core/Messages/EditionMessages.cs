using Digest.Editions;
using Digest.Ledger;
using Digest.Rendering;
using Microsoft.Extensions.Options;

namespace Digest.Messages;

/// <summary>One reader's message of an edition exactly as it would be sent: for the dry run, `preview` and `send-test`.</summary>
public sealed class EditionMessages(DigestRenderer renderer, MessageBuilder builder, IOptions<DigestOptions> options)
{
    /// <summary>The edition rendered once for many readers.</summary>
    public EditionRendering Rendering(Edition edition) =>
        new(renderer, edition, options.Value.ListName, options.Value.Archive.UrlFor(edition.Number), postalAddress: options.Value.Sender.PostalAddress);

    /// <param name="subjectPrefix">Put before the subject ahead of DKIM signing, so a marked test message still verifies.</param>
    public Task<MimeKit.MimeMessage> BuildAsync(Edition edition, DeliveryRecord delivery, string? subjectPrefix = null) =>
        BuildAsync(Rendering(edition), delivery, subjectPrefix);

    public async Task<MimeKit.MimeMessage> BuildAsync(EditionRendering rendering, DeliveryRecord delivery, string? subjectPrefix = null)
    {
        var rendered = await rendering.RenderAsync(builder.Reader(delivery.Email, delivery.Name), delivery.Categories);
        if (subjectPrefix is not null) rendered = rendered with { Subject = subjectPrefix + rendered.Subject };
        return builder.Build(rendering.Edition.Number, delivery, rendered, plainBody: true);
    }
}
