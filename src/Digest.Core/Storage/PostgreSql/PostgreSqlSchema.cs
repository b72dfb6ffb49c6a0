using Microsoft.Extensions.Logging;
using Npgsql;

namespace Digest.Storage.PostgreSql;

/// <summary>
/// The tables of a PostgreSQL store, created and migrated by the worker. Each migration runs once, in order,
/// and is recorded in <c>schema_version</c>; all of them run in one transaction under an advisory lock, so two
/// workers starting at once against an empty database neither race nor half-migrate it: the second waits for
/// the first and then finds nothing left to do.
/// </summary>
public static class PostgreSqlSchema
{
    /// <summary>An arbitrary key for pg_advisory_xact_lock, the same in every Digest process ("digest" in ASCII).</summary>
    private const long MigrationLock = 0x6469_6765_7374;

    /// <summary>The version a store has after <see cref="Migrate"/>.</summary>
    public static int Current => Migrations.Length;

    // Append only: a released migration is never edited, a change is a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE store_identity (
            id text PRIMARY KEY,
            store_id text NOT NULL,
            created_at timestamptz NOT NULL);

        CREATE TABLE comparisons (
            slug text PRIMARY KEY,
            title text NOT NULL,
            question text NOT NULL,
            url text NOT NULL,
            published_at timestamptz NOT NULL,
            tools jsonb NOT NULL,
            reviews jsonb NOT NULL,
            edition_number integer);
        CREATE INDEX comparisons_waiting ON comparisons (published_at) WHERE edition_number IS NULL;
        CREATE INDEX comparisons_edition ON comparisons (edition_number);

        -- An edition keeps copies of its comparisons as they were, so a resumed send renders what the first readers got.
        CREATE TABLE editions (
            number integer PRIMARY KEY,
            cut_off timestamptz NOT NULL,
            previous_cut_off timestamptz,
            created_at timestamptz NOT NULL,
            completed_at timestamptz,
            comparisons jsonb NOT NULL,
            left_out integer NOT NULL DEFAULT 0,
            transport text,
            transport_description text,
            folded jsonb);

        -- One row per reader of an edition. id is edition << 32 | position, as the LiteDB store numbers them,
        -- so return paths and bounce reports name the same delivery on either store. claimed_by/claim_expires
        -- let several workers share one edition: a worker claims a batch (FOR UPDATE SKIP LOCKED), and a claim
        -- whose worker died expires and is taken by another.
        CREATE TABLE deliveries (
            id bigint PRIMARY KEY,
            edition integer NOT NULL,
            position integer NOT NULL,
            email text NOT NULL,
            key text NOT NULL,
            name text,
            categories text[] NOT NULL DEFAULT '{}',
            time_zone text,
            due_at timestamptz NOT NULL,
            state text NOT NULL CHECK (state IN ('Planned', 'Sent', 'Deferred', 'Bounced', 'Skipped', 'Failed')),
            attempts integer NOT NULL DEFAULT 0,
            runs integer NOT NULL DEFAULT 0,
            deferred_since timestamptz,
            last_reply text,
            message_id text NOT NULL DEFAULT '',
            relay text,
            updated_at timestamptz NOT NULL,
            claimed_by text,
            claim_expires timestamptz,
            CHECK (id = (edition::bigint << 32) | position),
            UNIQUE (edition, position));
        CREATE INDEX deliveries_key ON deliveries (key, edition);
        CREATE INDEX deliveries_message_id ON deliveries (message_id) WHERE message_id <> '';
        CREATE INDEX deliveries_pending ON deliveries (edition, id) WHERE state IN ('Planned', 'Deferred');
        CREATE INDEX deliveries_claimed ON deliveries (id) WHERE claimed_by IS NOT NULL;

        CREATE TABLE suppressions (
            email text PRIMARY KEY,
            reason text NOT NULL,
            detail text,
            at timestamptz NOT NULL);
        -- A send in progress asks every second for what was suppressed since it last looked.
        CREATE INDEX suppressions_at ON suppressions (at);

        CREATE TABLE bounces (
            id text PRIMARY KEY,
            delivery_id bigint NOT NULL,
            edition integer NOT NULL,
            email text NOT NULL,
            kind text NOT NULL,
            status text NOT NULL,
            detail text,
            received_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL,
            unverified boolean NOT NULL DEFAULT false);
        CREATE INDEX bounces_email ON bounces (email);
        CREATE INDEX bounces_edition ON bounces (edition);

        CREATE TABLE imported_files (
            path text PRIMARY KEY,
            sha256 text NOT NULL,
            imported_at timestamptz NOT NULL);

        -- The sender lease: one row whose token only grows (the fencing token).
        CREATE TABLE leases (
            id text PRIMARY KEY,
            holder text,
            token bigint NOT NULL,
            expires_at timestamptz NOT NULL,
            machine text NOT NULL,
            process_id integer NOT NULL,
            process_started_at timestamptz);

        CREATE TABLE schedule (
            id text PRIMARY KEY,
            last_fire_at timestamptz NOT NULL);
        """,
        """
        -- Several workers send one edition: each holds a sender slot of its own while it sends, renewed before it
        -- expires. The readers a worker claims carry its slot's token (claim_token); once the slot has expired (its
        -- worker died or stalled) or was given up, its claims are free for the others, and its outcomes are written
        -- only where the reader's claim still carries its token.
        CREATE SEQUENCE sender_tokens;
        CREATE TABLE senders (
            token bigint PRIMARY KEY,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL,
            machine text NOT NULL,
            process_id integer NOT NULL,
            process_started_at timestamptz,
            taken_at timestamptz NOT NULL);
        ALTER TABLE deliveries ADD COLUMN claim_token bigint;
        """,
        """
        -- Readers who signed up and confirmed (double opt-in), beside the admin's subscriber file.
        CREATE TABLE signups (
            key text PRIMARY KEY,
            email text NOT NULL,
            name text,
            categories text[] NOT NULL DEFAULT '{}',
            confirmed_at timestamptz NOT NULL);

        -- Confirmation mails per address in its current window (Digest:Signup:MailsPerAddress).
        CREATE TABLE signup_mails (
            key text PRIMARY KEY,
            window_start timestamptz NOT NULL,
            count integer NOT NULL);
        """,
    ];

    /// <summary>Brings the database to <see cref="Current"/>; returns the version it had before (0: empty).</summary>
    public static int Migrate(NpgsqlDataSource dataSource, ILogger? log = null)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        int before;
        using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction))
            before = Convert.ToInt32(read.ExecuteScalar());
        if (before > Current)
            throw new InvalidOperationException($"The PostgreSQL store is at schema version {before}, newer than this Digest knows ({Current}): a newer Digest migrated it. Run that version, or restore a backup.");
        for (var version = before + 1; version <= Current; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1)", connection, transaction);
            record.Parameters.AddWithValue(version);
            record.ExecuteNonQuery();
        }
        transaction.Commit();
        if (before < Current) log?.LogInformation(StorageEvents.PostgreSqlMigrated, "Migrated the PostgreSQL store from schema version {From} to {To}", before, Current);
        return before;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
