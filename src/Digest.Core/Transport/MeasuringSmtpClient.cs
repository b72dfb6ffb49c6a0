using Digest.Messages;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.IO;

namespace Digest.Transport;

/// <summary>
/// MailKit's <see cref="SmtpClient"/>, told a prepared message's size instead of finding it out. MailKit
/// needs the size for SIZE=, CHUNKING (BDAT) and progress reports, and gets it by writing the whole
/// message to a counting stream: a second formatting of 60 KB per reader. A <see cref="PreparedBody"/>
/// knows its length, so only the headers are measured.
/// </summary>
internal sealed class MeasuringSmtpClient : SmtpClient
{
    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.Body is not PreparedBody body || body.ContentLength(options) is not { } content)
            return base.GetSize(options, message, cancellationToken);
        using var measure = new MeasuringStream();
        message.WriteTo(options, measure, headersOnly: true, cancellationToken);
        return measure.Length + content;
    }

    protected override async Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.Body is not PreparedBody body || body.ContentLength(options) is not { } content)
            return await base.GetSizeAsync(options, message, cancellationToken);
        using var measure = new MeasuringStream();
        await message.WriteToAsync(options, measure, headersOnly: true, cancellationToken);
        return measure.Length + content;
    }
}
