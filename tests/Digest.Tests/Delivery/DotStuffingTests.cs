using Digest.Messages;
using MailKit.Net.Smtp;
using MimeKit.IO;

namespace Digest.Tests.Delivery;

/// <summary>
/// A prepared body writes its DATA already dot-stuffed, past MailKit's filter: the bytes must be those the filter
/// itself would have made, however the body is cut into pieces.
/// </summary>
public sealed class DotStuffingTests
{
    [Fact]
    public void Pieces_stuffed_by_the_body_are_the_bytes_MailKits_DATA_filter_makes_of_them()
    {
        var random = new Random(1855);
        // Dots, line ends and letters, so that dots begin lines often, at piece edges too, and a last line
        // sometimes has no line end.
        var alphabet = ".\r\n.\na."u8.ToArray();
        for (var round = 0; round < 2000; round++)
        {
            var data = new byte[random.Next(0, 60)];
            for (var i = 0; i < data.Length; i++) data[i] = alphabet[random.Next(alphabet.Length)];
            var pieces = new List<ReadOnlyMemory<byte>>();
            for (var at = 0; at < data.Length;)
            {
                var length = Math.Min(random.Next(0, 8), data.Length - at);
                pieces.Add(data.AsMemory(at, length));
                at += length;
            }

            var stuffed = PreparedBody.DotStuffed(pieces).SelectMany(s => s.ToArray()).ToArray();

            Assert.Equal(ByMailKit(data), stuffed);
        }
    }

    private static byte[] ByMailKit(byte[] data)
    {
        using var written = new MemoryStream();
        using (var filtered = new FilteredStream(written))
        {
            filtered.Add(new SmtpDataFilter());
            filtered.Write(data, 0, data.Length);
            filtered.Flush();
        }
        return written.ToArray();
    }
}
