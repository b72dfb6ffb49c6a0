using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>
/// What an admin reads when the JSON subscriber file is wrong: every mistake with its line and field, the file
/// refused whole. The file is read in one pass a reader at a time, so each way of being wrong is checked here.
/// </summary>
public sealed class SubscriberFileErrorsTests : WorkspaceTest
{
    [Fact]
    public async Task A_misspelt_field_a_wrong_type_and_an_entry_that_is_not_an_object_are_each_reported_at_their_line()
    {
        Ws.WriteSubscribersJson("""
            {
              "subscribers": [
                { "email": "ada@example.com", "nmae": "Ada" },
                { "email": "lin@example.com", "categories": "Agents" },
                "bo@example.com",
                { "email": "ok@example.com" }
              ]
            }
            """);

        var result = await Ws.RunAsync("subscribers");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:3: subscribers[0].nmae: unknown field (check its spelling)", result.Error);
        Assert.Contains($"{Ws.SubscribersPath}:4: subscribers[1].categories: has the wrong type of value", result.Error);
        Assert.Contains($"{Ws.SubscribersPath}:5: subscribers[2]: expected a subscriber object", result.Error);
        Assert.DoesNotContain("ok@example.com", result.Output);
    }

    [Fact]
    public async Task A_syntax_error_after_good_readers_refuses_the_file_naming_its_line()
    {
        Ws.WriteSubscribersJson("""
            {
              "subscribers": [
                { "email": "ada@example.com" },
                { "email": "lin@example.com" "name": "Lin" }
              ]
            }
            """);

        var result = await Ws.RunAsync("subscribers");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:4: not valid JSON", result.Error);
        // The parser's own zero-based position would contradict the line just named.
        Assert.DoesNotContain("LineNumber", result.Error);
        Assert.DoesNotContain("ada@example.com", result.Output);
    }

    [Fact]
    public async Task Text_after_the_list_refuses_the_file_as_it_is_not_json()
    {
        Ws.WriteSubscribersJson("""
            { "subscribers": [ { "email": "ada@example.com" } ] }
            }
            """);

        var result = await Ws.RunAsync("subscribers");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:2: not valid JSON", result.Error);
    }

    [Fact]
    public async Task An_object_without_a_subscribers_list_is_refused_and_other_fields_beside_the_list_are_ignored()
    {
        Ws.WriteSubscribersJson("""{ "readers": [ { "email": "ada@example.com" } ] }""");
        var missing = await Ws.RunAsync("subscribers");

        Ws.WriteSubscribersJson("""
            {
              "comment": { "by": "the admin", "tags": ["a", "b"] },
              "subscribers": [ { "email": "ada@example.com" }, { "email": "lin@example.com", "categories": ["Agents"] } ],
              "updated": "2026-11-27"
            }
            """);
        var listed = await Ws.RunAsync("subscribers");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:1: subscribers: missing (expected {{ \"subscribers\": [ … ] }})", missing.Error);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("ada@example.com", listed.Output);
        Assert.Contains("lin@example.com,,Agents", listed.Output);
    }

    [Fact]
    public async Task A_bare_array_of_readers_is_a_subscriber_list_too()
    {
        Ws.WriteSubscribersJson("""[ { "email": "ada@example.com", "name": "Ada" }, { "email": "ADA@example.com" } ]""");

        var result = await Ws.RunAsync("subscribers");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Ws.SubscribersPath}:1: [1].email: \"ADA@example.com\" is a duplicate of [0]", result.Error);
    }
}
