using System.Text;
using Digest.Subscribers;

namespace Digest.Tests.Subscribers;

public sealed class SubscriberListTests
{
    [Fact]
    public void Every_field_of_every_reader_comes_back_as_the_file_gave_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"digest-list-{Guid.NewGuid():N}.json");
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
        File.WriteAllText(file, json.ToString(), new UTF8Encoding(false));
        try
        {
            var list = SubscriberFile.Load(file);

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
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_reader_is_found_by_address_in_any_case_and_a_stranger_is_not()
    {
        var file = Path.Combine(Path.GetTempPath(), $"digest-list-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "email,name\nAda@Example.com,Ada\nzoë@bücher.de,Zoë\n");
        try
        {
            var list = SubscriberFile.Load(file);

            Assert.True(list.Contains("ada@example.com"));
            Assert.True(list.Contains("ADA@EXAMPLE.COM"));
            Assert.True(list.Contains("ZOË@BÜCHER.DE"));
            Assert.False(list.Contains("ada@example.org"));
            Assert.Equal(3, list.PlaceOf("zoë@bücher.de"));
            Assert.Null(list.PlaceOf("grace@example.com"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Readers_whose_category_names_join_to_the_same_text_keep_their_own_categories()
    {
        var file = Path.Combine(Path.GetTempPath(), $"digest-list-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            { "subscribers": [
                { "email": "one@example.com", "categories": ["Audio\u0001Video"] },
                { "email": "two@example.com", "categories": ["Audio", "Video"] },
                { "email": "three@example.com", "categories": ["1:A"] },
                { "email": "four@example.com", "categories": ["1", "A"] }
            ] }
            """);
        try
        {
            var list = SubscriberFile.Load(file);

            Assert.Equal(["Audio\u0001Video"], list[0].Categories);
            Assert.Equal(["Audio", "Video"], list[1].Categories);
            Assert.Equal(["1:A"], list[2].Categories);
            Assert.Equal(["1", "A"], list[3].Categories);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
