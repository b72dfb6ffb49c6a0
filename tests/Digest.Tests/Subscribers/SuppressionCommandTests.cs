using System.Diagnostics;
using Digest.Tests.Sink;
using Digest.Tests.Support;

namespace Digest.Tests.Subscribers;

/// <summary>`unsubscribe`, `resubscribe` and `suppressions`: the suppression list wins over the subscriber file.</summary>
public sealed class SuppressionCommandTests() : SinkTest(Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"))
{
    [Fact]
    public async Task An_address_the_admin_unsubscribed_gets_nothing_though_it_is_still_in_the_file()
    {
        var unsubscribe = await Ws.RunAsync("unsubscribe", "Grace@Example.com");
        Assert.Equal(0, unsubscribe.ExitCode);
        Assert.Contains("Grace@Example.com is unsubscribed.", unsubscribe.Output);

        var send = await Ws.RunAsync("send-now");

        Assert.Contains("Edition 1: 2 sent, 0 deferred, 0 bounced, 1 skipped", send.Output);
        Assert.Empty(Sink.To("grace@example.com"));
        Assert.Single(Sink.To("ada@example.com"));
    }

    [Fact]
    public async Task Resubscribe_lifts_the_suppression_and_is_logged()
    {
        await Ws.RunAsync("unsubscribe", "grace@example.com");

        // A real process, so the assertion is on the log line an admin's terminal or log shipper gets.
        var (code, stdout, stderr) = await RunProcessAsync("resubscribe", "grace@example.com");

        Assert.Equal(0, code);
        Assert.Contains("grace@example.com may receive the digest again.", stdout);
        Assert.Contains("Admin resubscribed grace@example.com", stderr);
        await Ws.RunAsync("send-now");
        Assert.Single(Sink.To("grace@example.com"));
    }

    [Fact]
    public async Task Suppressions_export_writes_every_suppressed_address_as_csv()
    {
        await Ws.RunAsync("unsubscribe", "grace@example.com");
        await Ws.RunAsync("unsubscribe", "alan@example.com");
        var file = Path.Combine(Ws.Root, "suppressions.csv");

        var result = await Ws.RunAsync("suppressions", "--export", file);

        Assert.Contains($"2 suppressions written to {file}", result.Output);
        var lines = File.ReadAllLines(file);
        Assert.Equal("email,reason,at,detail", lines[0]);
        Assert.StartsWith("alan@example.com,Unsubscribed,", lines[1]);
        Assert.StartsWith("grace@example.com,Unsubscribed,", lines[2]);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(params string[] args)
    {
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Ws.Root };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "digest.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in Ws.Settings) start.Environment[key.Replace(":", "__")] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
