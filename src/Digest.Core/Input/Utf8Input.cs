using System.Buffers;
using System.Text.Unicode;

namespace Digest.Input;

/// <summary>
/// The one encoding admin-written files may have: UTF-8, with or without the byte order mark Windows
/// editors and spreadsheet exports put first. Anything else is refused with its line, instead of failing
/// later as a puzzling type error or turning a reader's name into replacement characters.
/// </summary>
public static class Utf8Input
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    /// <summary>The file's bytes without a byte order mark; throws <see cref="InvalidInputException"/> at the first byte that is not UTF-8.</summary>
    public static byte[] Check(string file, byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith(ByteOrderMark)) bytes = bytes[ByteOrderMark.Length..];
        if (Utf8.IsValid(bytes)) return bytes;

        var buffer = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            Utf8.ToUtf16(bytes, buffer, out var valid, out _, replaceInvalidSequences: false);
            var before = bytes.AsSpan(0, valid);
            var line = before.Count((byte)'\n') + 1;
            var column = valid - (before.LastIndexOf((byte)'\n') + 1) + 1;
            throw new InvalidInputException(new InputError(file, line, "",
                $"not valid UTF-8 (byte 0x{bytes[valid]:X2} at column {column}); save the file as UTF-8"));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
