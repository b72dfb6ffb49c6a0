using System.Text;
using System.Text.Json;
using Digest.Tests.Sink;
using Digest.Worker.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Support;

/// <summary>
/// A throwaway Digest installation in a temp folder: the repo's real templates, a subscriber file, an import
/// folder and a store of its own, with settings passed in-process instead of environment variables.
/// </summary>
public sealed class TestWorkspace : IDisposable
{
    public static readonly string RepoRoot = FindRepoRoot();

    public string Root { get; } = Directory.CreateTempSubdirectory("digest-test-").FullName;
    public Dictionary<string, string?> Settings { get; }

    public TestWorkspace(SmtpSink? sink = null)
    {
        CopyFolder(Path.Combine(RepoRoot, "templates"), TemplatesPath);
        Directory.CreateDirectory(ImportPath);
        Settings = new Dictionary<string, string?>
        {
            ["Digest:Store:Path"] = Path.Combine(Root, "data", "digest.db"),
            ["Digest:Subscribers:Path"] = SubscribersPath,
            ["Digest:Templates:Path"] = TemplatesPath,
            ["Digest:Outbox:Path"] = OutboxPath,
            ["Digest:Archive:Path"] = ArchivePath,
            ["Digest:Import:Path"] = ImportPath,
            ["Digest:Delivery:RetryDelay"] = "00:00:00.010",
            ["Digest:Delivery:StopTimeout"] = "00:00:05",
            ["Digest:Unsubscribe:Key"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        };
        if (sink is not null) UseSink(sink);
        WriteSubscribers(("ada@example.com", "Ada Lovelace"), ("grace@example.com", "Grace Hopper"), ("alan@example.com", null));
    }

    public string TemplatesPath => Path.Combine(Root, "templates");
    public string SubscribersPath => Path.Combine(Root, "subscribers.json");
    public string ImportPath => Path.Combine(Root, "comparisons");
    public string OutboxPath => Path.Combine(Root, "outbox");
    public string ArchivePath => Path.Combine(Root, "archive");

    public void UseSink(SmtpSink sink)
    {
        Settings["Digest:Smtp:Host"] = "127.0.0.1";
        Settings["Digest:Smtp:Port"] = sink.Port.ToString();
        Settings["Digest:Smtp:Security"] = "None";
        // The product's default: a shorter wait turns a busy test machine's pause into a relay failure. Tests
        // of a stalled server set their own.
        Settings["Digest:Smtp:Timeout"] = "00:00:30";
    }

    public void WriteSubscribers(params (string Email, string? Name)[] subscribers) =>
        File.WriteAllText(SubscribersPath, JsonSerializer.Serialize(new
        {
            subscribers = subscribers.Select(s => new { email = s.Email, name = s.Name }),
        }));

    public void WriteSubscribersJson(string json) => File.WriteAllText(SubscribersPath, json);

    /// <summary>Writes comparisons as an import file (into the import folder unless a path is given); returns its path.</summary>
    public string WriteComparisons(string name, params object[] comparisons)
    {
        var file = Path.Combine(ImportPath, name);
        File.WriteAllText(file, JsonSerializer.Serialize(comparisons, new JsonSerializerOptions { WriteIndented = true }));
        return file;
    }

    public string WriteFile(string name, string content)
    {
        var file = Path.Combine(Root, name);
        File.WriteAllText(file, content);
        return file;
    }

    /// <summary>Runs the real CLI in-process; returns what a user at the terminal would see.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await DigestCli.RunAsync(args, output, error, Settings);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Digest's services as the host registers them, with a fake clock where given.</summary>
    public ServiceProvider Services(TimeProvider? clock = null, LogCapture? log = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var services = new ServiceCollection().AddLogging(b => { if (log is not null) b.AddProvider(log); });
        if (clock is not null) services.AddSingleton(clock);
        services.AddDigest(configuration);
        return services.BuildServiceProvider();
    }

    public static FakeTimeProvider ClockAt(string utc) => new(DateTimeOffset.Parse(utc, null, System.Globalization.DateTimeStyles.AssumeUniversal));

    public IReadOnlyList<string> OutboxFiles(int edition) =>
        Directory.Exists(Path.Combine(OutboxPath, $"edition-{edition:D4}"))
            ? Directory.GetFiles(Path.Combine(OutboxPath, $"edition-{edition:D4}"), "*.eml").Order().ToList()
            : [];

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Digest.sln"))) return dir.FullName;
        throw new InvalidOperationException("Digest.sln not found above " + AppContext.BaseDirectory);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
