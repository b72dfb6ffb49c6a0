using System.CommandLine;

namespace Digest.Worker.Cli;

/// <summary>The `digest` executable: one verb per file in this folder, all sharing one way to build the host and report errors.</summary>
public static class DigestCli
{
    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "Settings file (default: $DIGEST_CONFIG or config/digest.json)",
        Recursive = true,
    };

    /// <summary>Runs the CLI. <paramref name="overrides"/> are extra settings, used by tests in place of environment variables.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        IReadOnlyDictionary<string, string?>? overrides = null, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, overrides);
        var root = new RootCommand("Digest: the weekly AI tool verdicts, selected, rendered and delivered by email.");
        root.Options.Add(ConfigOption);
        var run = RunCommand.Create(context);
        root.Subcommands.Add(run);
        root.Subcommands.Add(SendNowCommand.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(PreviewCommand.Create(context));
        root.Subcommands.Add(SendTestCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(BouncesCommand.Create(context));
        root.Subcommands.Add(HealthCommand.Create(context));
        root.Subcommands.Add(BackupCommand.Create(context));
        foreach (var command in SuppressionCommands.Create(context)) root.Subcommands.Add(command);
        root.Subcommands.Add(SubscribersCommand.Create(context));
        // `digest` alone runs the worker, as a container's entry point would.
        root.SetAction((parse, token) => RunCommand.ExecuteAsync(context, parse, token));

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // The host handles SIGTERM itself and needs its full stop timeout to finish messages in flight.
            ProcessTerminationTimeout = null,
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A mistyped verb or option is bad input (exit 2), not a crash (System.CommandLine's default is 1).
            foreach (var parseError in parse.Errors) await error.WriteLineAsync(parseError.Message);
            await error.WriteLineAsync("Run `digest --help` for the commands and their options.");
            return ExitCodes.BadInput;
        }
        return await parse.InvokeAsync(configuration, cancellationToken);
    }
}

/// <summary>What every verb shares: where to print, and how to build and run a host with errors reported once.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? overrides)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    public IHost BuildHost(ParseResult parse, bool worker = false, bool readOnlyStore = false) =>
        DigestHost.Build(new HostSettings(parse.GetValue(DigestCli.ConfigOption), overrides, worker, readOnlyStore));

    /// <summary>
    /// Builds the host, runs the start-up checks, and runs <paramref name="body"/> with a token that fires on
    /// SIGTERM or Ctrl+C; expected failures print their message and map to an exit code.
    /// </summary>
    /// <param name="readOnlyStore">The command only reads the store: it is opened read-only, so nothing can write to it.</param>
    public async Task<int> ExecuteAsync(ParseResult parse, bool templates, Func<IServiceProvider, CancellationToken, Task<int>> body, bool readOnlyStore = false, bool sends = false)
    {
        try
        {
            using var host = BuildHost(parse, readOnlyStore: readOnlyStore);
            await StartupCheck.RunAsync(host.Services, templates, sends);
            StartupLine.Log(host.Services);
            await host.StartAsync();
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            try
            {
                return await body(host.Services, lifetime.ApplicationStopping);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        catch (Exception e) when (CliErrors.IsExpected(e))
        {
            await Error.WriteLineAsync(CliErrors.Describe(e));
            return CliErrors.Code(e);
        }
    }
}
