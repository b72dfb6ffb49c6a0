using System.Text;
using Digest.Input;
using Digest.Subscribers;

namespace Digest.Tests.Subscribers;

/// <summary>
/// The subscriber file is read as it streams, a piece at a time, not whole. However the bytes arrive (a byte at a
/// time, a few, or all at once), the readers and the errors an admin reads, with their lines, must be the same as
/// for the whole file.
/// </summary>
public sealed class SubscriberFileInPiecesTests
{
    /// <summary>A stream that hands out at most <paramref name="most"/> bytes a read, as a slow disk or pipe may.</summary>
    private sealed class Trickle(byte[] bytes, int most) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, most));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, most)]);
    }

    private static readonly int[] Pieces = [1, 2, 3, 5, 7, 4096, int.MaxValue];

    private static string Messages(Func<SubscriberList> read)
    {
        try
        {
            var list = read();
            return string.Join("\n", list.Select(s => $"{s.Email}|{s.Name}|{string.Join(";", s.Categories)}|{s.TimeZone}"));
        }
        catch (InvalidInputException e)
        {
            return e.Message;
        }
    }

    [Fact]
    public void A_long_list_with_names_beyond_ascii_reads_the_same_however_the_bytes_arrive()
    {
        var json = new StringBuilder("\uFEFF{ \"comment\": \"Grüße 🙂\", \"subscribers\": [\n");
        for (var i = 0; i < 3000; i++)
            json.Append($"  {{ \"email\": \"reader.{i}@bücher.de\", \"name\": \"Zoë 読者 🙂 {i}\", \"categories\": [\"Agents\"] }},\n");
        // One entry longer than a piece, so the piece must grow to hold it.
        json.Append($"  {{ \"email\": \"long@example.com\", \"name\": \"{new string('Ω', 90_000)}\" }}\n] }}\n");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());

        var whole = Messages(() => SubscriberFile.Parse("subscribers.json", new MemoryStream(bytes)));

        Assert.StartsWith("reader.0@bücher.de|Zoë 読者 🙂 0|Agents|", whole);
        Assert.Contains($"long@example.com|{new string('Ω', 90_000)}||", whole);
        Assert.Equal(3001, whole.Split('\n').Length);
        foreach (var most in Pieces.Take(4))
            Assert.Equal(whole, Messages(() => SubscriberFile.Parse("subscribers.json", new Trickle(bytes, most))));
    }

    [Fact]
    public void Errors_far_into_a_long_file_name_their_own_line_and_field_however_the_bytes_arrive()
    {
        var lines = new List<string> { "{", "  \"subscribers\": [" };
        for (var i = 0; i < 4000; i++)
            lines.Add(i switch
            {
                2500 => "    { \"email\": \"ada@example.com\",\n      \"nmae\": \"Ada\" },",
                3100 => "    { \"email\": \"not an address\" },",
                3200 => "    { \"email\": \"READER.7@example.com\",\n      \"timeZone\": \"Mars/Olympus\" },",
                3300 => "    \"bo@example.com\",",
                3400 => "    { \"email\": \"lin@example.com\", \"categories\": \"Agents\" },",
                _ => $"    {{ \"email\": \"reader.{i}@example.com\" }},",
            });
        lines.Add("    { \"email\": \"last@example.com\" }");
        lines.Add("  ]");
        lines.Add("}");
        var text = string.Join("\n", lines);
        var bytes = Encoding.UTF8.GetBytes(text);
        int LineOf(string needle) => text[..text.IndexOf(needle, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        foreach (var most in Pieces)
        {
            var error = Assert.Throws<InvalidInputException>(() => SubscriberFile.Parse("subscribers.json", new Trickle(bytes, most)));

            Assert.Equal(
            [
                $"subscribers.json:{LineOf("\"nmae\"")}: subscribers[2500].nmae: unknown field (check its spelling)",
                $"subscribers.json:{LineOf("not an address")}: subscribers[3100].email: \"not an address\" is not a valid email address",
                $"subscribers.json:{LineOf("READER.7")}: subscribers[3200].email: \"READER.7@example.com\" is a duplicate of subscribers[7] (addresses are compared ignoring case)",
                $"subscribers.json:{LineOf("\"bo@example.com\"")}: subscribers[3300]: expected a subscriber object",
                $"subscribers.json:{LineOf("\"categories\": \"Agents\"")}: subscribers[3400].categories: has the wrong type of value",
            ], error.Errors.Select(e => e.ToString()));
        }
    }

    [Fact]
    public void A_syntax_error_far_into_a_long_file_names_its_line_however_the_bytes_arrive()
    {
        var text = "[\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"  {{ \"email\": \"reader.{i}@example.com\" }},\n"))
            + "  { \"email\": \"lin@example.com\" \"name\": \"Lin\" }\n]\n";
        var bytes = Encoding.UTF8.GetBytes(text);

        foreach (var most in Pieces)
        {
            var error = Assert.Throws<InvalidInputException>(() => SubscriberFile.Parse("subscribers.json", new Trickle(bytes, most)));
            Assert.StartsWith("subscribers.json:3002: not valid JSON", error.Message);
        }
    }

    [Theory]
    [InlineData("subscribers.json")]
    [InlineData("subscribers.csv")]
    public void A_byte_that_is_not_utf8_far_into_a_long_file_is_named_with_its_line_and_column_however_the_bytes_arrive(string file)
    {
        var csv = file.EndsWith(".csv");
        var head = csv ? "email,name\n" : "[\n";
        var rows = Enumerable.Range(0, 3000).Select(i => csv ? $"reader.{i}@example.com,Zoë 🙂 {i}\n" : $"  {{ \"email\": \"reader.{i}@example.com\", \"name\": \"Zoë 🙂 {i}\" }},\n");
        var prefix = Encoding.UTF8.GetBytes(head + string.Concat(rows) + (csv ? "rene@example.com,Ren" : "  { \"email\": \"rene@example.com\", \"name\": \"Ren"));
        // Latin-1 "é": a lead byte that the next byte does not continue.
        var bytes = (byte[])[.. prefix, 0xE9, .. Encoding.UTF8.GetBytes(csv ? "\n" : "\" }\n]\n")];
        var column = prefix.Length - Array.LastIndexOf(prefix, (byte)'\n');

        foreach (var most in Pieces)
        {
            var error = Assert.Throws<InvalidInputException>(() => SubscriberFile.Parse(file, new Trickle(bytes, most)));
            Assert.Equal($"{file}:3002: not valid UTF-8 (byte 0xE9 at column {column}); save the file as UTF-8", error.Message);
        }
    }

    [Fact]
    public void A_character_cut_short_by_the_end_of_the_file_is_refused_as_not_utf8()
    {
        // "[ ]" then the first two of the three bytes of "読".
        byte[] bytes = [(byte)'[', (byte)' ', (byte)']', (byte)'\n', 0xE8, 0xAA];

        foreach (var most in Pieces)
        {
            var error = Assert.Throws<InvalidInputException>(() => SubscriberFile.Parse("subscribers.json", new Trickle(bytes, most)));
            Assert.Equal("subscribers.json:2: not valid UTF-8 (byte 0xE8 at column 1); save the file as UTF-8", error.Message);
        }
    }
}
