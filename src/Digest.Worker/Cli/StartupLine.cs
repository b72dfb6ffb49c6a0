using Digest.Transport;


namespace Digest.Worker.Cli;

/// <summary>
/// The line every command starts with: which settings file, which store and which transport it will use, so
/// an edition never goes to the outbox (or to the wrong store) without the admin seeing it first. It is a log
/// line: on stderr for commands, so their stdout stays parseable, on stdout for the worker as all its logs,
/// and one JSON object with Digest:LogFormat=json.
/// </summary>
public static class StartupLine
{
    public static void Log(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DigestOptions>>().Value;
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Worker").LogInformation(
            WorkerEvents.Configuration, "Using config {ConfigFile}, store {Store}, transport {Transport}",
            services.GetRequiredService<ConfigFile>().ToString(), options.Store.Describe(), services.GetRequiredService<RelaySet>().Description);
    }
}
