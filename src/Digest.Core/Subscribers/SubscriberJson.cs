using System.Text.Json;
using Digest.Input;

namespace Digest.Subscribers;

/// <summary>
/// Reads a JSON subscriber list (<c>{ "subscribers": [ … ] }</c> or a bare array) from a stream in one pass, a
/// reader at a time: only the piece of the file being read is held, never the whole file beside the readers made
/// from it (a million readers' file is 76 MB). Errors carry the document's paths and lines as if it were read whole.
/// Hand-written: System.Text.Json reads a stream whole, or as a sequence of top-level values, not an array inside
/// an object piece by piece.
/// </summary>
internal static class SubscriberJson
{
    // Below the large object heap's threshold; doubled for an entry longer than this.
    private const int PieceSize = 64 * 1024;

    private sealed class Entry
    {
        public string? Email { get; set; }
        public string? Name { get; set; }
        public List<string>? Categories { get; set; }
        public string? TimeZone { get; set; }
    }

    private enum Step { Start, Root, Items, Rest, Done }

    public static SubscriberList Parse(string file, Stream stream)
    {
        var read = new Reading(file);
        var buffer = new byte[PieceSize];
        int start = 0, end = 0;
        var final = false;
        var state = new JsonReaderState(JsonLineMap.ReaderOptions);
        try
        {
            while (true)
            {
                var piece = buffer.AsSpan(start, end - start);
                var reader = new Utf8JsonReader(piece, final, state);
                var used = read.Advance(ref reader, piece, ref state);
                if (read.Step == Step.Done) break;
                // A whole file that stops short throws in the reader; reaching here with all of it read is a bug.
                if (final) throw new InvalidOperationException($"{file}: the subscriber list was not read to its end");
                read.Lines.Pass(piece[..used]);
                start += used;
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var more = stream.Read(buffer, end, buffer.Length - end);
                if (more == 0) final = true;
                end += more;
            }
        }
        catch (JsonException e)
        {
            throw JsonInput.NotJson(file, e);
        }
        if (read.Errors.Count > 0) throw new InvalidInputException(read.Errors);
        return read.List.Seal();
    }

    /// <summary>Where the reading stands between pieces of the file, and what it found so far.</summary>
    private sealed class Reading(string file)
    {
        private string _prefix = "";
        private int _index;

        public Step Step { get; private set; }
        public SubscriberList List { get; } = new();
        public List<InputError> Errors { get; } = [];
        public LineCount Lines { get; } = new();

        /// <summary>
        /// Reads whole values while the piece holds them; returns how many bytes were read, with
        /// <paramref name="state"/> where the next piece goes on. A value cut by the piece's end is read again
        /// from its start with the next piece, so a step changes nothing until all of it is in.
        /// </summary>
        public int Advance(ref Utf8JsonReader reader, ReadOnlySpan<byte> piece, ref JsonReaderState state)
        {
            var used = 0;
            while (Step != Step.Done && Next(ref reader, piece))
            {
                used = (int)reader.BytesConsumed;
                state = reader.CurrentState;
            }
            return used;
        }

        private bool Next(ref Utf8JsonReader reader, ReadOnlySpan<byte> piece)
        {
            var probe = reader;
            // At the very end of a whole file, nothing is left to read: done, unless the list never began.
            if (!probe.Read())
            {
                if (!probe.IsFinalBlock) return false;
                if (Step != Step.Rest) throw new InvalidOperationException($"{file}: the subscriber list ended before it began");
                Step = Step.Done;
                return true;
            }
            switch (Step)
            {
                case Step.Start:
                    if (probe.TokenType == JsonTokenType.StartObject)
                    {
                        _prefix = "subscribers";
                        Step = Step.Root;
                    }
                    else if (probe.TokenType == JsonTokenType.StartArray) Step = Step.Items;
                    else throw Refused(Lines.At(piece, (int)probe.TokenStartIndex), "", "expected an array of subscribers");
                    break;
                case Step.Root:
                    if (probe.TokenType != JsonTokenType.PropertyName)
                        throw Refused(1, _prefix, "missing (expected { \"subscribers\": [ … ] })");
                    var found = probe.ValueTextEquals(_prefix);
                    var at = (int)probe.TokenStartIndex;
                    if (!probe.Read()) return false;
                    if (found)
                    {
                        if (probe.TokenType != JsonTokenType.StartArray) throw Refused(Lines.At(piece, at), _prefix, "expected an array of subscribers");
                        Step = Step.Items;
                    }
                    else if (!probe.TrySkip()) return false;
                    break;
                case Step.Items when probe.TokenType == JsonTokenType.EndArray:
                    Step = Step.Rest;
                    break;
                case Step.Items:
                    var item = probe;
                    if (!probe.TrySkip()) return false;
                    Read(ref item, piece[(int)item.TokenStartIndex..(int)probe.BytesConsumed], piece);
                    break;
                case Step.Rest:
                    // The rest of the file must still be JSON, as it was when the file was read whole.
                    if (!probe.TrySkip()) return false;
                    break;
            }
            reader = probe;
            return true;
        }

        /// <summary>One entry of the array, all of it in <paramref name="value"/>; <paramref name="reader"/> stands on its first token.</summary>
        private void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> value, ReadOnlySpan<byte> piece)
        {
            var place = new EntryPlace(file, 0, _index++, _prefix);
            var at = (int)reader.TokenStartIndex;
            var before = Errors.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                Errors.Add(new InputError(file, Lines.At(piece, at), place.Label, "expected a subscriber object"));
                return;
            }
            Entry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<Entry>(ref reader, JsonInput.Options);
            }
            catch (JsonException e)
            {
                Errors.Add(JsonInput.Unreadable(e, file, place.Label, Map(value, piece, at, place)));
                return;
            }
            if (entry is null) return;
            SubscriberFile.Validate(entry.Email, entry.Name, entry.Categories, place, Errors, List, entry.TimeZone);
            // Located now, while the entry's bytes are at hand: only an entry with an error needs its lines.
            if (Errors.Count > before)
            {
                var map = Map(value, piece, at, place);
                for (var i = before; i < Errors.Count; i++)
                    if (Errors[i].Line == 0) Errors[i] = Errors[i] with { Line = map.LineOf(Errors[i].Item) };
            }
        }

        private JsonLineMap Map(ReadOnlySpan<byte> value, ReadOnlySpan<byte> piece, int at, EntryPlace place) =>
            JsonLineMap.ForPart(value.ToArray(), Lines.At(piece, at), place.Label);

        private InvalidInputException Refused(int line, string item, string message) => new(new InputError(file, line, item, message));
    }

    /// <summary>The line of a place in the piece being read, counting the lines of the pieces before it.</summary>
    private sealed class LineCount
    {
        private long _passed;
        private int _cursor;
        private long _toCursor;

        public int At(ReadOnlySpan<byte> piece, int offset)
        {
            // Places are asked for in the order they are read, so counting goes on from the last one.
            if (offset < _cursor) (_cursor, _toCursor) = (0, 0);
            _toCursor += piece[_cursor..offset].Count((byte)'\n');
            _cursor = offset;
            return (int)(_passed + _toCursor) + 1;
        }

        public void Pass(ReadOnlySpan<byte> read)
        {
            _passed += read.Count((byte)'\n');
            (_cursor, _toCursor) = (0, 0);
        }
    }
}
