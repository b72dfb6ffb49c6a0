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
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Worker");
        logger.LogInformation(
            WorkerEvents.Configuration, "Using config {ConfigFile}, store {Store}, transport {Transport}",
            services.GetRequiredService<ConfigFile>().ToString(), options.Store.Describe(), services.GetRequiredService<RelaySet>().Description);
        if (logger.IsEnabled(LogLevel.Debug)) LogRuntime(logger);
    }

    /// <summary>
    /// What the GC reports it runs with, rather than what the runtime settings ask for: a setting the runtime does not
    /// read from digest.runtimeconfig.json is ignored without a word, and the budget then follows the machine's cache.
    /// </summary>
    private static void LogRuntime(ILogger logger)
    {
        var gc = GC.GetConfigurationVariables();
        long Setting(string name) => gc.TryGetValue(name, out var value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        logger.LogDebug(WorkerEvents.Runtime, "Runtime {Runtime}: {Collector} GC, gen0 budget at most {Gen0BudgetMb} MB, conserving memory ({ConserveMemory}), tiered PGO {TieredPgo}",
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            System.Runtime.GCSettings.IsServerGC ? "server" : "workstation", Setting("GCGen0MaxBudget") / (1024 * 1024), Setting("GCConserveMem"),
            TieredPgo() ? "on" : "off");
    }

    /// <summary>
    /// Whether the JIT profiles hot code before its final compilation. The runtime exposes no reading of it, so this
    /// follows its own order: the environment (DOTNET_, then the older COMPlus_ prefix, a hexadecimal number), then
    /// the runtime settings file, then the runtime's default (on).
    /// </summary>
    private static bool TieredPgo()
    {
        foreach (var prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            var value = Environment.GetEnvironmentVariable(prefix + "TieredPGO")?.Trim();
            if (value is { Length: > 0 } && ulong.TryParse(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value,
                    System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var number))
                return number != 0;
        }
        return !AppContext.TryGetSwitch("System.Runtime.TieredPGO", out var on) || on;
    }
}
