using System.Text;
using Digest.Input;
using Microsoft.VisualBasic.FileIO;

namespace Digest.Subscribers;

/// <summary>
/// Reads a subscriber list exported from a spreadsheet: a header row naming the columns <c>email</c>,
/// <c>name</c>, <c>categories</c> and <c>timezone</c> (any order; only <c>email</c> is required), then one reader a line.
/// Categories are separated by <c>;</c> or <c>|</c> inside their field. Quoted fields may hold commas.
/// Parsing is the framework's <see cref="TextFieldParser"/> (RFC 4180 quoting, line numbers), so no CSV
/// package is needed; this class only maps columns and validates, as <see cref="SubscriberFile"/> does for JSON.
/// </summary>
public static class SubscriberCsv
{
    public const string EmailColumn = "email";
    public const string NameColumn = "name";
    public const string CategoriesColumn = "categories";
    public const string TimeZoneColumn = "timezone";
    private static readonly string[] Columns = [EmailColumn, NameColumn, CategoriesColumn, TimeZoneColumn];
    private static readonly char[] CategorySeparators = [';', '|'];

    /// <summary>The readers in <paramref name="text"/>, the file's bytes already checked as UTF-8 (<see cref="Utf8Input.Checked"/>).</summary>
    public static SubscriberList Parse(string file, Stream text)
    {
        using var parser = new TextFieldParser(text, Encoding.UTF8, detectEncoding: false)
        {
            TextFieldType = FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
            TrimWhiteSpace = true,
            CommentTokens = ["#"],
        };
        parser.SetDelimiters(",");
        var errors = new List<InputError>();
        var header = ReadHeader(file, parser, errors);
        if (header is null) throw new InvalidInputException(errors);

        var result = new SubscriberList();
        while (!parser.EndOfData)
        {
            var line = (int)parser.LineNumber;
            string[]? fields;
            try
            {
                fields = parser.ReadFields();
            }
            catch (MalformedLineException e)
            {
                errors.Add(new InputError(file, (int)e.LineNumber, "", $"not valid CSV (a quote is not closed?): {Excerpt(parser.ErrorLine)}"));
                continue;
            }
            if (fields is null) continue;
            if (fields.Length != header.Count)
            {
                // A row cut short, e.g. by a save still in progress, must not pass as a reader without categories.
                errors.Add(new InputError(file, line, "", $"has {fields.Length} fields, the header has {header.Count}: {Excerpt(string.Join(",", fields))}"));
                continue;
            }
            string? Field(string column) => header.TryGetValue(column, out var i) ? fields[i] : null;
            var categories = Field(CategoriesColumn)?.Split(CategorySeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            SubscriberFile.Validate(Field(EmailColumn), Field(NameColumn), categories,
                EntryPlace.Csv(file, line), errors, result, Field(TimeZoneColumn));
        }
        if (errors.Count > 0) throw new InvalidInputException(errors);
        return result.Seal();
    }

    /// <summary>Column name → index; null (with errors) when the first row is not a usable header.</summary>
    private static Dictionary<string, int>? ReadHeader(string file, TextFieldParser parser, List<InputError> errors)
    {
        var line = (int)Math.Max(1, parser.LineNumber);
        string[]? names;
        try
        {
            names = parser.EndOfData ? null : parser.ReadFields();
        }
        catch (MalformedLineException e)
        {
            errors.Add(new InputError(file, (int)e.LineNumber, "header", "not valid CSV (a quote is not closed?)"));
            return null;
        }
        if (names is null)
        {
            errors.Add(new InputError(file, line, "header", "missing (expected a first row such as email,name,categories)"));
            return null;
        }
        var header = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
        {
            // A misspelt column ("categores") would silently send a reader everything: refuse it, as JSON refuses an unknown field.
            if (!Columns.Contains(names[i], StringComparer.OrdinalIgnoreCase))
                errors.Add(new InputError(file, line, "header", $"unknown column \"{names[i]}\" (expected {string.Join(", ", Columns)})"));
            else if (!header.TryAdd(names[i], i))
                errors.Add(new InputError(file, line, "header", $"column \"{names[i]}\" appears twice"));
        }
        if (!header.ContainsKey(EmailColumn))
            errors.Add(new InputError(file, line, "header", $"no \"{EmailColumn}\" column (expected a first row such as email,name,categories)"));
        return errors.Count == 0 ? header : null;
    }

    private static string Excerpt(string text)
    {
        text = text.TrimEnd('\r', '\n');
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
