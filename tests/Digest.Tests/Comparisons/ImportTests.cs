using Digest.Comparisons;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Comparisons;

public sealed class ImportTests : WorkspaceTest
{
    private int StoredCount()
    {
        using var services = Ws.Services();
        return services.GetRequiredService<IComparisonStore>().Count();
    }

    [Fact]
    public async Task Import_of_a_valid_array_stores_every_comparison()
    {
        var file = Ws.WriteFile("two.json", System.Text.Json.JsonSerializer.Serialize(new[]
        {
            Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"),
            Samples.Comparison("gamma-vs-delta", "2026-11-21T10:00:00Z"),
        }));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("imported 2 comparisons (alpha-vs-beta, gamma-vs-delta)", result.Output);
        Assert.Equal(2, StoredCount());
    }

    [Fact]
    public async Task Reimporting_a_slug_updates_it_and_never_duplicates_it()
    {
        var first = Ws.WriteFile("first.json", System.Text.Json.JsonSerializer.Serialize(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "Old title")));
        var second = Ws.WriteFile("second.json", System.Text.Json.JsonSerializer.Serialize(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z", title: "New title")));

        Assert.Equal(0, (await Ws.RunAsync("import", first)).ExitCode);
        Assert.Equal(0, (await Ws.RunAsync("import", second)).ExitCode);

        using var services = Ws.Services();
        var store = services.GetRequiredService<IComparisonStore>();
        Assert.Equal(1, store.Count());
        Assert.Equal("New title", store.Find("alpha-vs-beta")!.Title);
    }

    [Fact]
    public async Task Bad_json_is_refused_with_file_and_line()
    {
        var file = Ws.WriteFile("broken.json", "[\n  { \"slug\": \"a\",\n    \"title\": \n]");

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:4: not valid JSON", result.Error);
        Assert.Equal(0, StoredCount());
    }

    [Fact]
    public async Task A_file_with_one_bad_item_is_refused_whole_naming_item_field_and_line()
    {
        var good = Samples.Comparison("good-one", "2026-11-20T10:00:00Z");
        var bad = Samples.Comparison("bad-one", "2026-11-20T10:00:00Z");
        ((Dictionary<string, object?>)((object[])bad["tools"]!)[1])["panelShip"] = 140;
        var file = Ws.WriteFile("mixed.json", System.Text.Json.JsonSerializer.Serialize(new[] { good, bad }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var line = File.ReadAllLines(file).Select((text, i) => (text, i)).Where(x => x.text.Contains("\"panelShip\": 140")).Single().i + 1;

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:{line}: [1].tools[1].panelShip: must be between 0 and 100, was 140", result.Error);
        Assert.Contains("nothing from it was stored", result.Error);
        Assert.Equal(0, StoredCount());
    }

    [Fact]
    public async Task A_missing_field_is_named()
    {
        var comparison = Samples.Comparison("no-url", "2026-11-20T10:00:00Z");
        comparison.Remove("url");
        var file = Ws.WriteFile("missing.json", System.Text.Json.JsonSerializer.Serialize(comparison));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("url: missing", result.Error);
    }

    [Fact]
    public async Task A_review_naming_a_tool_not_in_the_comparison_is_refused()
    {
        var comparison = Samples.Comparison("stray-review", "2026-11-20T10:00:00Z");
        ((Dictionary<string, object?>)((object[])comparison["reviews"]!)[0])["tool"] = "Somebody Else";
        var file = Ws.WriteFile("stray.json", System.Text.Json.JsonSerializer.Serialize(new[] { comparison }));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("[0].reviews[0].tool: names \"Somebody Else\", which is not one of this comparison's tools", result.Error);
        Assert.Equal(0, StoredCount());
    }

    [Fact]
    public async Task A_misspelt_field_is_reported_as_unknown()
    {
        var comparison = Samples.Comparison("typo", "2026-11-20T10:00:00Z");
        comparison["publishedAtt"] = comparison["publishedAt"];
        var file = Ws.WriteFile("typo.json", System.Text.Json.JsonSerializer.Serialize(comparison));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("publishedAtt: unknown field", result.Error);
    }

    [Fact]
    public async Task The_import_folder_reaches_an_empty_store_by_itself_and_only_once()
    {
        Ws.WriteComparisons("sample.json", Samples.Comparison("from-folder", "2026-11-20T10:00:00Z", title: "Folder title"));
        Assert.Equal(0, (await Ws.RunAsync("send-now", "--dry-run")).ExitCode);
        Assert.Equal(1, StoredCount());

        // An admin's later import of the same slug is not undone by the unchanged folder file.
        var edited = Ws.WriteFile("edited.json", System.Text.Json.JsonSerializer.Serialize(Samples.Comparison("from-folder", "2026-11-20T10:00:00Z", title: "Edited title")));
        Assert.Equal(0, (await Ws.RunAsync("import", edited)).ExitCode);
        Assert.Equal(0, (await Ws.RunAsync("send-now", "--dry-run")).ExitCode);

        using var services = Ws.Services();
        Assert.Equal("Edited title", services.GetRequiredService<IComparisonStore>().Find("from-folder")!.Title);
    }
}

/// <summary>Each text field has a documented length limit, so no input can outgrow a stored edition (LiteDB documents stop at 16 MB).</summary>
public sealed class ImportLimitTests : WorkspaceTest
{
    [Fact]
    public async Task A_title_over_300_characters_is_refused_at_import_with_file_line_and_field()
    {
        var comparison = Samples.Comparison("long-title", "2026-11-20T10:00:00Z", title: new string('t', 4 * 1024 * 1024));
        var file = Ws.WriteFile("long.json", System.Text.Json.JsonSerializer.Serialize(new[] { comparison }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var line = File.ReadLines(file).Select((text, i) => (text, i)).First(x => x.text.Contains("\"title\"")).i + 1;

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:{line}: [0].title: is 4194304 characters long; at most 300 are allowed", result.Error);
    }

    [Fact]
    public async Task Five_comparisons_with_4_MB_titles_in_the_import_folder_are_refused_and_the_run_goes_on()
    {
        Ws.WriteComparisons("huge.json", Enumerable.Range(1, 5)
            .Select(i => (object)Samples.Comparison($"huge-{i}", "2026-11-20T10:00:00Z", title: new string('t', 4 * 1024 * 1024))).ToArray());
        Ws.WriteComparisons("fine.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Edition 1: 3 sent", result.Output);
    }

    [Fact]
    public async Task A_quote_summary_or_list_over_its_limit_is_named()
    {
        var comparison = Samples.Comparison("long-quote", "2026-11-20T10:00:00Z", quote: new string('q', 2001));
        ((Dictionary<string, object?>)((object[])comparison["tools"]!)[0])["summary"] = new string('s', 2001);
        comparison["reviews"] = Enumerable.Range(0, 21).Select(_ => ((object[])comparison["reviews"]!)[1]).ToArray();
        var file = Ws.WriteFile("long.json", System.Text.Json.JsonSerializer.Serialize(comparison));

        var result = await Ws.RunAsync("import", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tools[0].summary: is 2001 characters long; at most 2000 are allowed", result.Error);
        Assert.Contains("reviews: has 21 reviews; at most 20 are allowed", result.Error);
    }
}
