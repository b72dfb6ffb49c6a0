using System.CommandLine;

namespace Digest.Worker.Cli;

/// <summary>`digest run`: the hosted worker. Sends the digest on its cron schedule until SIGTERM.</summary>
public static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("run", "Run the worker: send the digest on its schedule until stopped (the default).");
        command.SetAction((parse, token) => ExecuteAsync(context, parse, token));
        return command;
    }

    public static async Task<int> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken token)
    {
        try
        {
            using var host = context.BuildHost(parse, worker: true);
            await StartupCheck.RunAsync(host.Services, templates: true, sends: true);
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Worker");
            StartupLine.Log(host.Services);
            host.Services.GetRequiredService<Editions.NextEdition>().ImportFolder();
            var next = host.Services.GetRequiredService<Scheduling.ScheduleLog>().NextRun();
            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
            {
                // Start-up (template checks, imports, JIT) leaves garbage the worker will not need while it waits a
                // week: give it back to the system once, so the idle worker stays small.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                // Only once the host has started: from then on SIGTERM stops it cleanly (its handler is in place).
                // Logged earlier, a SIGTERM sent on seeing the line could still end the process with 143.
                log.LogInformation(WorkerEvents.WorkerStarted, "Worker started; next edition at {Next:u}", next);
            });
            await host.RunAsync(token);
            // Logged before the host is disposed, while the console logger can still write it.
            log.LogInformation(WorkerEvents.WorkerStopped, "Worker stopped");
            return ExitCodes.Done;
        }
        catch (Exception e) when (CliErrors.IsExpected(e))
        {
            await context.Error.WriteLineAsync(CliErrors.Describe(e));
            return CliErrors.Code(e);
        }
    }
}
