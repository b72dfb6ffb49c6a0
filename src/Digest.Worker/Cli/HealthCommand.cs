using System.CommandLine;

namespace Digest.Worker.Cli;

/// <summary>
/// `digest health`: exit 0 while the worker's heartbeat is fresh, 1 when it is stale or missing. Reads only the
/// settings and one file: it runs every few seconds beside a worker that holds the store.
/// </summary>
public static class HealthCommand
{
    /// <summary>Heartbeats a worker may miss before it counts as dead: one late tick is not an outage.</summary>
    public const int MissedBeats = 3;

    public static Command Create(CliContext context)
    {
        var command = new Command("health", "Exit 0 if the worker (`run`) is alive, judged by its heartbeat file; 1 if not.");
        command.SetAction(async (parse, _) =>
        {
            HealthOptions health;
            try
            {
                using var host = context.BuildHost(parse);
                health = host.Services.GetRequiredService<IOptions<DigestOptions>>().Value.Health;
                StartupLine.Log(host.Services);
            }
            catch (Exception e) when (CliErrors.IsExpected(e))
            {
                await context.Error.WriteLineAsync(CliErrors.Describe(e));
                return CliErrors.Code(e);
            }
            var file = new FileInfo(health.HeartbeatPath);
            if (!file.Exists)
            {
                await context.Error.WriteLineAsync($"unhealthy: no heartbeat at {file.FullName}; the worker (`digest run`) is not running or cannot write there");
                return ExitCodes.Unexpected;
            }
            var age = DateTime.UtcNow - file.LastWriteTimeUtc;
            var limit = health.HeartbeatInterval * MissedBeats;
            if (age > limit)
            {
                await context.Error.WriteLineAsync($"unhealthy: the last heartbeat is {age.TotalSeconds:0}s old (limit {limit.TotalSeconds:0}s): the worker has stopped or hangs");
                return ExitCodes.Unexpected;
            }
            await context.Output.WriteLineAsync($"healthy: heartbeat {Math.Max(0, age.TotalSeconds):0}s ago");
            return ExitCodes.Done;
        });
        return command;
    }
}
