using System.Text;
using System.Text.Json;

namespace Digest.Input;

/// <summary>
/// Maps a path in a JSON document (<c>[1].tools[0].panelShip</c>) to the line it stands on, so that a
/// validation error can name the line. Hand-written because System.Text.Json's DOM keeps no positions.
/// </summary>
public sealed class JsonLineMap
{
    private readonly byte[] _json;
    private readonly int _firstLine;
    private readonly string _prefix;
    private Dictionary<string, int>? _lines;

    private JsonLineMap(byte[] json, int firstLine, string prefix) => (_json, _firstLine, _prefix) = (json, firstLine, prefix);

    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// The map of a document already known to be valid JSON. It is built on the first look-up: only a file
    /// with an error needs it, and for a list of 100,000 readers it would hold hundreds of thousands of paths.
    /// </summary>
    public static JsonLineMap For(byte[] json) => new(json, 1, "");

    /// <summary>
    /// The map of one value cut from a longer document that is read a piece at a time: <paramref name="json"/>
    /// starts on line <paramref name="firstLine"/> and stands at <paramref name="path"/> in the document, so that
    /// paths and lines are the document's.
    /// </summary>
    public static JsonLineMap ForPart(byte[] json, int firstLine, string path) => new(json, firstLine, path);

    private static Dictionary<string, int> Build(ReadOnlySpan<byte> json)
    {
        var newlines = new List<int>();
        for (var i = 0; i < json.Length; i++)
            if (json[i] == (byte)'\n') newlines.Add(i);

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(json, ReaderOptions);
        while (reader.Read())
        {
            var line = LineAt(newlines, (int)reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    frames[^1].Property = reader.GetString();
                    lines.TryAdd(PathOf(frames), line);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    lines.TryAdd(PathOf(frames), line);
                    frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    NextItem(frames);
                    break;
                default:
                    lines.TryAdd(PathOf(frames), line);
                    NextItem(frames);
                    break;
            }
        }
        return lines;
    }

    /// <summary>The line of the path, or of its nearest ancestor that exists (a missing field is reported at its object).</summary>
    public int LineOf(string path)
    {
        _lines ??= Build(_json);
        path = Within(path);
        while (true)
        {
            if (_lines.TryGetValue(path, out var line)) return line + _firstLine - 1;
            if (path.Length == 0) return 0;
            var cut = path.LastIndexOfAny(['.', '[']);
            path = cut <= 0 ? "" : path[..cut];
        }
    }

    /// <summary>The path within the part this map covers; the part's own path for one outside it.</summary>
    private string Within(string path)
    {
        if (_prefix.Length == 0) return path;
        if (!path.StartsWith(_prefix, StringComparison.Ordinal)) return "";
        var rest = path[_prefix.Length..];
        return rest.StartsWith('.') ? rest[1..] : rest.StartsWith('[') || rest.Length == 0 ? rest : "";
    }

    private static int LineAt(List<int> newlines, int offset)
    {
        var index = newlines.BinarySearch(offset);
        return (index < 0 ? ~index : index) + 1;
    }

    private static void NextItem(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray) path.Append('[').Append(frame.Index).Append(']');
            else if (frame.Property is not null)
            {
                if (path.Length > 0) path.Append('.');
                path.Append(frame.Property);
            }
        }
        return path.ToString();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Property { get; set; }
    }
}
