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
        var text = bytes.AsSpan().StartsWith(ByteOrderMark) ? bytes[ByteOrderMark.Length..] : bytes;
        if (Utf8.IsValid(text)) return text;
        // Read through the streaming check, which names the first bad byte's line and column.
        using var located = Checked(file, new MemoryStream(bytes));
        located.CopyTo(Stream.Null);
        throw new InvalidOperationException($"{file}: UTF-8 found invalid as a whole but not when read through");
    }

    /// <summary>
    /// The file's bytes as they are read from <paramref name="stream"/>, without a byte order mark, checked as
    /// <see cref="Check"/> checks them: reading throws <see cref="InvalidInputException"/> at the first byte that is
    /// not UTF-8, and when the stream cannot be read. A long subscriber list is read this way rather than whole,
    /// so its bytes are never held beside the readers made from them. Every byte handed out is also written to
    /// <paramref name="copy"/> when one is given.
    /// </summary>
    public static Stream Checked(string file, Stream stream, Stream? copy = null) => new CheckedStream(file, stream, copy);

    private static InvalidInputException NotUtf8(string file, int line, int column, byte value) =>
        new(new InputError(file, line, "", $"not valid UTF-8 (byte 0x{value:X2} at column {column}); save the file as UTF-8"));

    /// <summary>
    /// Hand-written: the framework's decoders either replace bad bytes or throw without a position, and no
    /// package served here validates a stream as it passes. Bytes are handed out only once they are known to be
    /// whole characters of UTF-8, so a reader of this stream never sees a bad byte before the error names it.
    /// </summary>
    private sealed class CheckedStream(string file, Stream inner, Stream? copy) : Stream
    {
        private readonly byte[] _stage = new byte[64 * 1024];
        // _stage[_from.._ready] is checked and not yet handed out; _stage[_ready.._to] is the start of a character
        // cut by the end of the last read from the file, checked once the rest of it is in.
        private int _from, _ready, _to;
        private bool _started;
        private long _checked;
        private long _lines;
        private long _lineStart;
        private char[] _chars = [];

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            while (_from == _ready)
                if (!Fill()) return 0;
            var count = Math.Min(buffer.Length, _ready - _from);
            var handed = _stage.AsSpan(_from, count);
            handed.CopyTo(buffer);
            copy?.Write(handed);
            _from += count;
            return count;
        }

        /// <summary>Reads more of the file and checks it; false at the end of the file.</summary>
        private bool Fill()
        {
            _stage.AsSpan(_ready, _to - _ready).CopyTo(_stage);
            (_from, _ready, _to) = (0, 0, _to - _ready);
            var read = ReadInner(_stage.AsSpan(_to));
            if (!_started)
            {
                _started = true;
                // The mark may come over more than one read from a stream that trickles.
                while (read > 0 && _to + read < ByteOrderMark.Length && ReadInner(_stage.AsSpan(_to + read)) is var more and > 0) read += more;
                if (_stage.AsSpan(0, _to + read).StartsWith(ByteOrderMark))
                {
                    _stage.AsSpan(ByteOrderMark.Length, read - ByteOrderMark.Length).CopyTo(_stage);
                    read -= ByteOrderMark.Length;
                    // Nothing after the mark yet: the caller's loop reads on.
                    if (read == 0) return true;
                }
            }
            if (read == 0)
            {
                if (_to > 0) throw Invalid(0, _stage[0]);
                return false;
            }
            _to += read;
            var bytes = _stage.AsSpan(0, _to);
            var whole = bytes.Length - CutShort(bytes);
            if (!Utf8.IsValid(bytes[..whole]))
            {
                if (_chars.Length < whole) _chars = new char[_stage.Length];
                Utf8.ToUtf16(bytes[..whole], _chars, out var valid, out _, replaceInvalidSequences: false, isFinalBlock: false);
                throw Invalid(valid, bytes[valid]);
            }
            Count(bytes[..whole]);
            _ready = whole;
            return true;
        }

        /// <summary>How many bytes at the end are the start of a character whose other bytes are still to come.</summary>
        private static int CutShort(ReadOnlySpan<byte> bytes)
        {
            for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
            {
                var b = bytes[^back];
                if ((b & 0xC0) == 0x80) continue;
                var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return length > back ? back : 0;
            }
            return 0;
        }

        private void Count(ReadOnlySpan<byte> bytes)
        {
            var newlines = bytes.Count((byte)'\n');
            if (newlines > 0)
            {
                _lines += newlines;
                _lineStart = _checked + bytes.LastIndexOf((byte)'\n') + 1;
            }
            _checked += bytes.Length;
        }

        /// <summary>The error for the byte at <paramref name="at"/> in the stage, after the bytes before it were counted.</summary>
        private InvalidInputException Invalid(int at, byte value)
        {
            Count(_stage.AsSpan(0, at));
            return NotUtf8(file, (int)_lines + 1, (int)(_checked - _lineStart) + 1, value);
        }

        private int ReadInner(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (IOException e)
            {
                throw new InvalidInputException(new InputError(file, 0, "", $"cannot be read: {e.Message}"));
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
