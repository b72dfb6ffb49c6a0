using System.CommandLine;
using Digest.Storage;
using Digest.Storage.LiteDb;

namespace Digest.Worker.Cli;

/// <summary>`digest backup FILE`: a whole copy of the LiteDB store, safe to take while the worker sends.</summary>
public static class BackupCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "Where to write the copy (a new file; see --force)." };
        var force = new Option<bool>("--force") { Description = "Replace FILE if it exists." };
        var command = new Command("backup", "Copy the store to FILE, whole and consistent, while the worker may be sending.") { file, force };
        command.SetAction(async (parse, token) =>
        {
            if (await IsPostgreSqlAsync(context, parse) is { } refused) return refused;
            return await context.ExecuteAsync(parse, templates: false, async (services, _) =>
            {
                var backup = LiteDbBackup.Copy(services.GetRequiredService<LiteDbStore>(), parse.GetValue(file)!, parse.GetValue(force));
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Storage").LogInformation(
                    StorageEvents.StoreBackedUp, "Store backed up to {Backup}: {Editions} editions, {Deliveries} deliveries; other processes waited {LockedMs} ms",
                    backup.Path, backup.Editions, backup.Deliveries, (long)backup.Locked.TotalMilliseconds);
                await context.Output.WriteLineAsync(
                    $"Backed up to {backup.Path}: {backup.Bytes:N0} bytes, {backup.Editions} editions, {backup.Deliveries} deliveries " +
                    $"(the store was locked for {backup.Locked.TotalMilliseconds:0} ms). Restore: README, \"Backup and restore\".");
                return ExitCodes.Done;
            // Read-only: a backup is the store as it was, never migrated or otherwise written by the build taking it.
            }, readOnlyStore: true);
        });
        return command;
    }

    /// <summary>
    /// A PostgreSQL store is backed up by PostgreSQL's own tool, which takes a consistent snapshot without stopping
    /// the workers; Digest does not wrap it (it would have to pass the password on and pick pg_dump's version).
    /// </summary>
    private static async Task<int?> IsPostgreSqlAsync(CliContext context, ParseResult parse)
    {
        try
        {
            using var host = context.BuildHost(parse);
            if (StorageServiceCollectionExtensions.ProviderIn(host.Services.GetRequiredService<IConfiguration>()) != StoreProvider.PostgreSql) return null;
        }
        catch (Exception e) when (CliErrors.IsExpected(e))
        {
            await context.Error.WriteLineAsync(CliErrors.Describe(e));
            return CliErrors.Code(e);
        }
        await context.Error.WriteLineAsync(
            "The store is PostgreSQL (Digest:Store:Provider): back it up with PostgreSQL's pg_dump, which copies a consistent " +
            "snapshot while workers run, e.g. `pg_dump --format=custom --file=digest.dump \"host=… dbname=… user=…\"`, and restore " +
            "it with pg_restore. `digest backup` copies a LiteDB store file.");
        return ExitCodes.BadInput;
    }
}
