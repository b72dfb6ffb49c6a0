using System.Diagnostics;
using Digest.Tests.Support;

namespace Digest.Tests.Rendering;

/// <summary>
/// A template that runs away (a loop of 2×10⁸ iterations took 13.4 GB and 76 s before failing) must fail
/// fast at start-up, naming the template. The loops here are big enough to be refused and small enough to
/// be harmless where they are not.
/// </summary>
public sealed class TemplateLimitTests : WorkspaceTest
{
    private string AddToTextTemplate(string liquid)
    {
        var file = Path.Combine(Ws.TemplatesPath, "digest.txt.liquid");
        File.AppendAllText(file, liquid);
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        return file;
    }

    [Fact]
    public async Task A_template_that_runs_more_than_a_million_steps_stops_start_up_naming_the_template()
    {
        AddToTextTemplate("{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}");

        var clock = Stopwatch.StartNew();
        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("digest.txt.liquid: stopped after 1,000,000 steps", result.Error);
        Assert.Empty(Ws.OutboxFiles(1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_loop_over_a_range_of_millions_of_numbers_is_refused_when_the_template_is_read()
    {
        // Fluid makes the whole range before the first step is counted: 2×10⁸ numbers were 13.4 GB.
        var file = AddToTextTemplate("{% for i in (1..3000000) %}x{% endfor %}");

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}: a loop over (1..3000000) has 3,000,000 numbers; at most 1,000,000 are allowed", result.Error);
        Assert.Empty(Ws.OutboxFiles(1));
    }

    [Fact]
    public async Task A_partial_that_renders_itself_stops_start_up_naming_the_template_and_the_nesting_limit()
    {
        File.WriteAllText(Path.Combine(Ws.TemplatesPath, "partials", "again.liquid"), "{% render 'partials/again' %}");
        AddToTextTemplate("{% render 'partials/again' %}");

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("digest.txt.liquid: stopped after 1,000,000 steps or 10 nested partials", result.Error);
    }

    [Fact]
    public async Task The_largest_edition_the_comparison_limits_allow_renders_within_the_step_limit()
    {
        Ws.Settings["Digest:Edition:MaxComparisons"] = "50";
        Ws.WriteSubscribers(("ada@example.com", "Ada"));
        Ws.WriteComparisons("c.json", Enumerable.Range(1, 50).Select(i =>
        {
            var c = Samples.Comparison($"c-{i}", "2026-11-20T10:00:00Z");
            var tools = Enumerable.Range(1, Digest.Comparisons.ComparisonLimits.Tools).Select(t => Samples.Tool($"tool-{i}-{t}", "Developer Tools", 50, 50, "Free")).ToArray();
            c["tools"] = tools;
            c["reviews"] = Enumerable.Range(0, Digest.Comparisons.ComparisonLimits.Reviews)
                .Select(r => new Dictionary<string, object?> { ["tool"] = $"tool-{i}-{r % tools.Length + 1}", ["lens"] = "Buyer", ["quote"] = "Fine." }).ToArray();
            return (object)c;
        }).ToArray());

        var result = await Ws.RunAsync("send-now");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 sent", result.Output);
    }
}
