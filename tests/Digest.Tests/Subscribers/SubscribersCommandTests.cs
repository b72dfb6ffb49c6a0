using Digest.Subscribers;
using Digest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Subscribers;

/// <summary>`digest subscribers`: both sources, as CSV a spreadsheet opens safely.</summary>
public sealed class SubscribersCommandTests : WorkspaceTest
{
    [Fact]
    public async Task A_name_typed_on_the_signup_form_as_a_formula_is_listed_as_text_not_run_by_a_spreadsheet()
    {
        using (var services = Ws.Services())
            services.GetRequiredService<ISignups>().Save(new SignedUpReader
            {
                Email = "lin@example.org",
                Name = "=HYPERLINK(\"https://evil.example\",\"click\")",
                Categories = ["Developer Tools", "Agents"],
                ConfirmedAt = DateTime.UtcNow,
            });

        var result = await Ws.RunAsync("subscribers");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("lin@example.org,\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"click\"\")\",Developer Tools;Agents,signup", result.Output);
        Assert.StartsWith("email,name,categories,source", result.Output);
    }
}
