using LiteDB;
using Microsoft.Extensions.Logging;

namespace Digest.Storage.LiteDb;

/// <summary>
/// The version of the LiteDB store's layout, kept in LiteDB's header (its USER_VERSION pragma), and the steps that
/// bring an older store up to date. A store made before Digest kept a version has LiteDB's default, 0, and counts as
/// version 1. A store from a newer Digest is refused before anything writes to it: this build cannot know what its
/// documents mean, and reading them as if it did could send an edition again.
/// </summary>
public static class LiteDbSchema
{
    /// <summary>One change of layout: what <paramref name="Apply"/> does to a store at version <c>To - 1</c>.</summary>
    /// <remarks>
    /// A step and the stamp after it are two commits (LiteDB sets a pragma outside transactions), so a crash
    /// between them runs the step again on the next open: a step must give the same store when run twice.
    /// </remarks>
    public sealed record Step(int To, string Description, Action<LiteDatabase> Apply);

    // Append only, in order, To = 2, 3, …: a released step is never edited, a change of layout is a new step.
    private static readonly Step[] Steps =
    [
        // Readers who signed up live only in the store: a build that predates them must refuse the store rather than
        // open it and send editions without them.
        new(2, "signed-up readers and confirmation-mail counts", db =>
        {
            db.GetCollection("signups").EnsureIndex("ConfirmedAt");
            db.GetCollection("signup_mails").EnsureIndex("WindowStart");
        }),
    ];

    /// <summary>The version this build writes and reads.</summary>
    public static int Current => Target(Steps);

    /// <summary>The version a store holds; an unstamped one (made before versions) is version 1.</summary>
    public static int VersionOf(LiteDatabase db) => Math.Max(1, db.UserVersion);

    /// <summary>Refuses a store from a newer Digest; <paramref name="db"/> may be read-only.</summary>
    public static void CheckNotNewer(LiteDatabase db, string path, int known)
    {
        if (VersionOf(db) > known) throw new StoreTooNewException(path, db.UserVersion, known);
    }

    public static void Migrate(LiteDatabase db, string path, ILogger? log) => Migrate(db, path, log, Steps);

    /// <summary>Runs the steps after the store's version, each logged and stamped as it completes.</summary>
    public static void Migrate(LiteDatabase db, string path, ILogger? log, IReadOnlyList<Step> steps)
    {
        var target = Target(steps);
        CheckNotNewer(db, path, target);
        var start = VersionOf(db);
        foreach (var step in steps.Where(s => s.To > start).OrderBy(s => s.To))
        {
            var from = VersionOf(db);
            log?.LogInformation(StorageEvents.StoreMigrating, "Migrating the store {Path} from version {From} to {To}: {Step}", path, from, step.To, step.Description);
            try
            {
                step.Apply(db);
            }
            catch (Exception e)
            {
                log?.LogError(StorageEvents.StoreMigrationFailed, e, "Migrating the store {Path} to version {To} ({Step}) failed; it stays at version {From}", path, step.To, step.Description, from);
                throw;
            }
            db.UserVersion = step.To;
        }
        if (db.UserVersion == target) return;
        log?.LogInformation(StorageEvents.StoreStamped, "The store {Path} had no schema version (made before Digest kept one): stamped version {Version}", path, target);
        db.UserVersion = target;
    }

    private static int Target(IReadOnlyList<Step> steps) => steps.Count == 0 ? 1 : steps[^1].To;
}
