using Digest.Storage;
using Digest.Worker.Health;
using Digest.Worker.Http;
using Digest.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Digest.Worker;

/// <summary>How a command wants its host: where the config is, and whether it runs the schedule.</summary>
/// <param name="ReadOnlyStore">The command only reads: the store is opened read-only and is never written.</param>
public sealed record HostSettings(string? ConfigFile, IReadOnlyDictionary<string, string?>? Overrides, bool Worker, bool ReadOnlyStore = false);

/// <summary>The settings file a command read, for the line that says what it will use.</summary>
public sealed record ConfigFile(string Path, bool Found)
{
    public override string ToString() => Found ? Path : $"none ({Path} not found: embedded defaults and the environment)";
}

/// <summary>Builds the generic host every command runs in: configuration, logging and Digest's services.</summary>
public static class DigestHost
{
    public const string DefaultConfigFile = "config/digest.json";

    public static IHost Build(HostSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        var configFile = settings.ConfigFile ?? Environment.GetEnvironmentVariable("DIGEST_CONFIG");
        if (string.IsNullOrWhiteSpace(configFile)) configFile = null;
        // The embedded defaults need no file; a file the admin named explicitly must exist. Checked here, so the
        // error names the file (the JSON provider's exception leaves FileName empty).
        var configPath = Path.GetFullPath(configFile ?? DefaultConfigFile);
        if (configFile is not null && !File.Exists(configPath))
            throw new FileNotFoundException($"Configuration file not found: {configPath}", configPath);
        builder.Configuration.AddJsonFile(configPath, optional: configFile is null, reloadOnChange: false);
        builder.Services.AddSingleton(new ConfigFile(configPath, File.Exists(configPath)));
        builder.Configuration.AddEnvironmentVariables();
        if (settings.Overrides is not null) builder.Configuration.AddInMemoryCollection(settings.Overrides);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Digest:LogFormat=json gives one JSON object a line, for log shippers; the default is one plain line an event.
        // Quoted separators: an unquoted ':' or '-' in a format string is the current culture's, not always ASCII.
        var json = string.Equals(builder.Configuration["Digest:LogFormat"], "json", StringComparison.OrdinalIgnoreCase);
        if (json)
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";
            });
        else
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy'-'MM'-'dd' 'HH':'mm':'ss' '";
                o.UseUtcTimestamp = true;
            });
        builder.Services.Configure<ConsoleLoggerOptions>(o =>
        {
            // The worker logs to stdout for the container; commands keep stdout for what they print.
            if (!settings.Worker) o.LogToStandardErrorThreshold = LogLevel.Trace;
        });

        // Under systemd (Type=notify): READY=1 once started, STOPPING=1 on SIGTERM, and plain log lines in journald's
        // format (a priority prefix, no colours, journald adds the time); JSON stays JSON. Elsewhere this does nothing.
        if (settings.Worker) builder.Services.AddSystemd();
        if (settings.Worker && json) builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Json);
        builder.Services.AddDigest(builder.Configuration);
        if (settings.ReadOnlyStore)
            builder.Services.AddStore(readOnly: true, Storage.StorageServiceCollectionExtensions.ProviderIn(builder.Configuration));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        builder.Services.AddSingleton<IPostConfigureOptions<HostOptions>, ShutdownAfterDeliveryStop>();
        if (settings.Worker) builder.Services.AddSchedule(builder.Configuration);
        if (settings.Worker) builder.Services.AddWorkerHealth();
        if (settings.Worker) builder.Services.AddUnsubscribeListener(builder.Configuration);
        if (settings.Worker) builder.Services.AddHostedService<Subscribers.SubscriberFileWatcher>();
        if (settings.Worker) builder.Services.AddBouncePolling();
        return builder.Build();
    }

    /// <summary>Gives a stopping send its full Digest:Delivery:StopTimeout before the host gives up on it.</summary>
    private sealed class ShutdownAfterDeliveryStop(IOptions<DigestOptions> digest) : IPostConfigureOptions<HostOptions>
    {
        public void PostConfigure(string? name, HostOptions options) =>
            options.ShutdownTimeout = digest.Value.Delivery.StopTimeout + TimeSpan.FromSeconds(15);
    }
}
