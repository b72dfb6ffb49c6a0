using System.Text.Json;
using System.Text.Json.Serialization;

namespace Digest.Input;

/// <summary>Reads admin-written JSON into typed documents, turning every failure into a located <see cref="InputError"/>.</summary>
public static class JsonInput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt field ("panelship") is an error, not a silently missing value.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Parses the file's bytes; throws <see cref="InvalidInputException"/> naming the line of a syntax error.</summary>
    public static (JsonDocument Document, JsonLineMap Lines) Parse(string file, byte[] bytes)
    {
        bytes = Utf8Input.Check(file, bytes);
        try
        {
            var document = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return (document, JsonLineMap.For(bytes));
        }
        catch (JsonException e)
        {
            throw NotJson(file, e);
        }
    }

    /// <summary>A syntax error, with its line.</summary>
    public static InvalidInputException NotJson(string file, JsonException e) =>
        new(new InputError(file, (int)(e.LineNumber ?? -1) + 1, "", $"not valid JSON: {FirstSentence(e.Message)}"));

    /// <summary>Deserializes one element; a type mismatch or unknown field becomes a located error.</summary>
    public static T? Read<T>(JsonElement element, string file, string item, JsonLineMap lines, List<InputError> errors)
        where T : class
    {
        try
        {
            return element.Deserialize<T>(Options);
        }
        catch (JsonException e)
        {
            errors.Add(Unreadable(e, file, item, lines));
            return null;
        }
    }

    /// <summary>A value the serializer could not map (a type mismatch or an unknown field), located within <paramref name="item"/>.</summary>
    public static InputError Unreadable(JsonException e, string file, string item, JsonLineMap lines)
    {
        var inner = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        var path = inner.Length == 0 ? item : item.Length == 0 ? inner : inner.StartsWith('[') ? item + inner : $"{item}.{inner}";
        var message = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? "unknown field (check its spelling)"
            : "has the wrong type of value";
        return new InputError(file, lines.LineOf(path), path, message);
    }

    /// <summary>Puts the line on errors that were made without one (looking lines up only when something is wrong).</summary>
    public static List<InputError> Locate(List<InputError> errors, JsonLineMap lines) =>
        errors.ConvertAll(e => e.Line == 0 ? e with { Line = lines.LineOf(e.Item) } : e);

    /// <summary>The parser's message without its position: it counts lines from 0, and the error already names the line.</summary>
    private static string FirstSentence(string message)
    {
        foreach (var tail in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
            if (message.IndexOf(tail, StringComparison.Ordinal) is var cut and > 0) message = message[..cut];
        return message;
    }
}
