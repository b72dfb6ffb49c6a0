using System.Text;
using Digest.Subscribers;

namespace Digest.Tests.Subscribers;

public sealed class SubscriberListTests
{
    [Fact]
    public void Every_field_of_every_reader_comes_back_as_the_file_gave_it()
    {
        // Enough readers, with names long enough, to fill many blocks; names and addresses beyond ASCII, one name
        // longer than a block, zones and category sets shared and not.
        var json = new StringBuilder("{ \"subscribers\": [\n");
        const int readers = 5000;
        for (var i = 0; i < readers; i++)
        {
            var name = i switch
            {
                0 => new string('Ω', 70_000),
                _ when i % 7 == 0 => null,
                _ => $"Zoë Ångström {i} 読者 🙂",
            };
            var categories = (i % 3) switch { 0 => "", 1 => ", \"categories\": [\"Audio\", \"Developer Tools\"]", _ => $", \"categories\": [\"Topic {i % 11}\"]" };
            var zone = i % 4 == 0 ? ", \"timeZone\": \"Europe/Berlin\"" : i % 4 == 1 ? ", \"timeZone\": \"America/New_York\"" : "";
            var email = i % 5 == 0 ? $"reader.{i}@bücher.de" : $"Reader.{i}@Example.com";
            json.Append($"  {{ \"email\": \"{email}\"{(name is null ? "" : $", \"name\": \"{name}\"")}{categories}{zone} }}{(i < readers - 1 ? "," : "")}\n");
        }
        json.Append("] }\n");
        var list = Load(json.ToString(), "json");

        Assert.Equal(readers, list.Count);
        for (var i = 0; i < readers; i++)
        {
            var s = list[i];
            Assert.Equal(i % 5 == 0 ? $"reader.{i}@bücher.de" : $"Reader.{i}@Example.com", s.Email);
            Assert.Equal(i switch { 0 => new string('Ω', 70_000), _ when i % 7 == 0 => null, _ => $"Zoë Ångström {i} 読者 🙂" }, s.Name);
            Assert.Equal((i % 3) switch { 0 => [], 1 => ["Audio", "Developer Tools"], _ => [$"Topic {i % 11}"] }, s.Categories);
            Assert.Equal(i % 4 == 0 ? "Europe/Berlin" : i % 4 == 1 ? "America/New_York" : null, s.TimeZone);
        }
        Assert.Equal(list.Select(s => s.Email), list.AsEnumerable().Select(s => s.Email));
    }

    [Fact]
    public void A_reader_is_found_by_address_in_any_case_and_a_stranger_is_not()
    {
        var list = LoadCsv("email,name\nAda@Example.com,Ada\nzoë@bücher.de,Zoë\n");

        Assert.True(list.Contains("ada@example.com"));
        Assert.True(list.Contains("ADA@EXAMPLE.COM"));
        Assert.True(list.Contains("ZOË@BÜCHER.DE"));
        Assert.False(list.Contains("ada@example.org"));
        Assert.False(list.Contains("ada@example.co"));
        Assert.False(list.Contains("zoe@bücher.de"));
    }

    [Fact]
    public void Readers_come_in_the_order_case_insensitive_comparison_gives_and_are_found_as_the_duplicate_check_finds_them()
    {
        // Addresses that differ in case, beyond ASCII and around the characters that sort between the two cases of
        // ASCII letters ('_' comes after 'Z' and before 'a'), so a look-up by binary search must agree with the
        // case-insensitive set the file's duplicate check uses.
        var random = new Random(20261128);
        string[] pieces = ["a", "A", "z", "Z", "_", "-", ".", "0", "9", "ë", "Ë", "ö", "Ö", "ß", "読", "ab", "AB", "é"];
        string[] domains = ["example.com", "Example.COM", "bücher.de", "xample.org"];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (seen.Count < 3000)
        {
            var local = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]));
            if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..")) continue;
            seen.Add($"{local}@{domains[random.Next(domains.Length)]}");
        }
        var list = LoadCsv("email\n" + string.Join("\n", seen) + "\n");
        var emails = list.Select(s => s.Email).ToList();

        Assert.Equal(emails.Order(StringComparer.OrdinalIgnoreCase), list.InAddressOrder().Select(s => s.Email));
        var known = new HashSet<string>(emails, StringComparer.OrdinalIgnoreCase);
        var probes = emails.SelectMany(e => (string[])[e, e.ToUpperInvariant(), e.ToLowerInvariant(), e + "x", "x" + e, e.Replace('ë', 'e'), e.Replace("a", "_")]);
        foreach (var probe in probes)
            Assert.True(known.Contains(probe) == list.Contains(probe), $"{probe}: the set says {known.Contains(probe)}");
    }

    [Fact]
    public void A_list_of_more_domains_than_the_list_keeps_once_reads_back_every_address_finds_each_and_sorts_them_all()
    {
        // 70,000 domains, more than the 65,536 the list stores once; the later ones stay in their readers' records.
        var emails = Enumerable.Range(0, 70_000).Select(i => i % 2 == 0 ? $"reader.{i}@domain-{i}.example" : $"Reader.{i}@Shared.Example").ToList();
        var list = LoadCsv("email\n" + string.Join("\n", emails) + "\n");

        Assert.Equal(emails, list.Select(s => s.Email));
        Assert.Equal(emails.Order(StringComparer.OrdinalIgnoreCase), list.InAddressOrder().Select(s => s.Email));
        Assert.All(emails.Where((_, i) => i % 997 == 0), e => Assert.True(list.Contains(e.ToUpperInvariant()), e));
        Assert.False(list.Contains("reader.69998@domain-69999.example"));
    }

    [Fact]
    public void The_same_address_with_its_domain_in_another_case_is_a_duplicate()
    {
        var error = Assert.Throws<Digest.Input.InvalidInputException>(() => LoadCsv("email\nada@example.com\ngrace@example.com\nAda@EXAMPLE.com\n"));

        Assert.Contains("\"Ada@EXAMPLE.com\" is a duplicate of line 2", error.Message);
    }

    private static SubscriberList LoadCsv(string text) => Load(text, "csv");

    /// <summary>Reads a subscriber file of this text (UTF-8) and kind (the file's extension), as the worker reads one.</summary>
    private static SubscriberList Load(string text, string extension)
    {
        var file = Path.Combine(Path.GetTempPath(), $"digest-list-{Guid.NewGuid():N}.{extension}");
        File.WriteAllText(file, text, new UTF8Encoding(false));
        try
        {
            return SubscriberFile.Load(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Readers_whose_category_names_join_to_the_same_text_keep_their_own_categories()
    {
        var list = Load("""
            { "subscribers": [
                { "email": "one@example.com", "categories": ["Audio\u0001Video"] },
                { "email": "two@example.com", "categories": ["Audio", "Video"] },
                { "email": "three@example.com", "categories": ["1:A"] },
                { "email": "four@example.com", "categories": ["1", "A"] }
            ] }
            """, "json");

        Assert.Equal(["Audio\u0001Video"], list[0].Categories);
        Assert.Equal(["Audio", "Video"], list[1].Categories);
        Assert.Equal(["1:A"], list[2].Categories);
        Assert.Equal(["1", "A"], list[3].Categories);
    }
}
