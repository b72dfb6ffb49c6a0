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
        // 3: Quartz.NET's clustered job store (the shared schedule): the script Quartz 4.7.3 embeds for PostgreSQL
        // (create_postgres.sql, its database/tables/tables_postgres.sql without the drops), with the qrtz_ prefix put in.
        // Made here rather than by Quartz's own provisioning, so the tables come with the store's versions in the same
        // transaction and lock, and Quartz only validates them. A later Quartz that needs more is a new migration.
        """
        CREATE TABLE IF NOT EXISTS qrtz_job_details (
          sched_name text not null,
          job_name text not null,
          job_group text not null,
          description text null,
          job_class_name text not null,
          is_durable bool not null,
          is_nonconcurrent bool not null,
          is_update_data bool not null,
          requests_recovery bool not null,
          job_data bytea null,
          primary key (sched_name,job_name,job_group)
        );
        CREATE TABLE IF NOT EXISTS qrtz_triggers (
          sched_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          job_name text not null,
          job_group text not null,
          description text null,
          next_fire_time bigint null,
          prev_fire_time bigint null,
          priority integer null,
          trigger_state text not null,
          trigger_type text not null,
          start_time bigint not null,
          end_time bigint null,
          calendar_name text null,
          misfire_instr smallint null,
          misfire_orig_fire_time bigint null,
          execution_group varchar(200) null,
          preferred_node varchar(200) null,
          preferred_node_auto bool not null default false,
          retry_policy varchar(250) null,
          retry_attempt integer null,
          continues_trigger_name text null,
          continues_trigger_group text null,
          continuation_condition integer null,
          overlap_policy integer null,
          pause_reason varchar(250) null,
          paused_by varchar(200) null,
          paused_at bigint null,
          misfire_threshold bigint null,
          fixed_delay bool null,
          job_data bytea null,
          primary key (sched_name,trigger_name,trigger_group),
          foreign key (sched_name,job_name,job_group) references qrtz_job_details (sched_name,job_name,job_group)
        );
        CREATE TABLE IF NOT EXISTS qrtz_simple_triggers (
          sched_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          repeat_count bigint not null,
          repeat_interval bigint not null,
          times_triggered bigint not null,
          primary key (sched_name,trigger_name,trigger_group),
          foreign key (sched_name,trigger_name,trigger_group) references qrtz_triggers (sched_name,trigger_name,trigger_group) on delete cascade
        );
        CREATE TABLE IF NOT EXISTS qrtz_cron_triggers (
          sched_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          cron_expression text not null,
          time_zone_id text,
          primary key (sched_name,trigger_name,trigger_group),
          foreign key (sched_name,trigger_name,trigger_group) references qrtz_triggers (sched_name,trigger_name,trigger_group) on delete cascade
        );
        CREATE TABLE IF NOT EXISTS qrtz_simprop_triggers (
          sched_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          str_prop_1 text null,
          str_prop_2 text null,
          str_prop_3 text null,
          int_prop_1 integer null,
          int_prop_2 integer null,
          long_prop_1 bigint null,
          long_prop_2 bigint null,
          dec_prop_1 numeric null,
          dec_prop_2 numeric null,
          bool_prop_1 bool null,
          bool_prop_2 bool null,
          time_zone_id text null,
          primary key (sched_name,trigger_name,trigger_group),
          foreign key (sched_name,trigger_name,trigger_group) references qrtz_triggers (sched_name,trigger_name,trigger_group) on delete cascade
        );
        CREATE TABLE IF NOT EXISTS qrtz_blob_triggers (
          sched_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          blob_data bytea null,
          primary key (sched_name,trigger_name,trigger_group),
          foreign key (sched_name,trigger_name,trigger_group) references qrtz_triggers (sched_name,trigger_name,trigger_group) on delete cascade
        );
        CREATE TABLE IF NOT EXISTS qrtz_calendars (
          sched_name text not null,
          calendar_name text not null,
          calendar bytea not null,
          primary key (sched_name,calendar_name)
        );
        CREATE TABLE IF NOT EXISTS qrtz_paused_trigger_grps (
          sched_name text not null,
          trigger_group text not null,
          pause_reason varchar(250) null,
          paused_by varchar(200) null,
          paused_at bigint null,
          primary key (sched_name,trigger_group)
        );
        CREATE TABLE IF NOT EXISTS qrtz_paused_job_grps (
          sched_name text not null,
          job_group text not null,
          pause_reason varchar(250) null,
          paused_by varchar(200) null,
          paused_at bigint null,
          primary key (sched_name,job_group)
        );
        CREATE TABLE IF NOT EXISTS qrtz_fired_triggers (
          sched_name text not null,
          entry_id text not null,
          trigger_name text not null,
          trigger_group text not null,
          instance_name text not null,
          fired_time bigint not null,
          sched_time bigint not null,
          priority integer not null,
          state text not null,
          job_name text null,
          job_group text null,
          is_nonconcurrent bool not null,
          requests_recovery bool null,
          execution_group varchar(200) null,
          progress integer null,
          progress_message varchar(250) null,
          interrupt_requested_time bigint null,
          primary key (sched_name,entry_id)
        );
        CREATE TABLE IF NOT EXISTS qrtz_scheduler_state (
          sched_name text not null,
          instance_name text not null,
          last_checkin_time bigint not null,
          checkin_interval bigint not null,
          quartz_version varchar(20) null,
          primary key (sched_name,instance_name)
        );
        CREATE TABLE IF NOT EXISTS qrtz_locks (
          sched_name text not null,
          lock_name text not null,
          primary key (sched_name,lock_name)
        );
        CREATE TABLE IF NOT EXISTS qrtz_execution_history (
          sched_name text not null,
          entry_id text not null,
          instance_name text not null,
          job_name text not null,
          job_group text not null,
          trigger_name text not null,
          trigger_group text not null,
          fired_time bigint not null,
          run_time bigint not null,
          succeeded bool not null,
          error_message text null,
          retry_attempt integer not null default 0,
          retry_scheduled bool not null default false,
          execution_log text null,
          result integer null,
          summary text null,
          metrics text null,
          manual bool null,
          fire_instance_id text null,
          job_input text null,
          job_input_too_large bool null,
          primary key (sched_name,entry_id)
        );
        CREATE TABLE IF NOT EXISTS qrtz_misfire_history (
          sched_name text not null,
          entry_id text not null,
          instance_name text not null,
          trigger_name text not null,
          trigger_group text not null,
          job_name text null,
          job_group text null,
          misfire_time bigint not null,
          sched_time bigint null,
          reason integer null,
          primary key (sched_name,entry_id)
        );
        CREATE TABLE IF NOT EXISTS qrtz_job_status (
          sched_name text not null,
          job_group text not null,
          job_name text not null,
          first_fired_time bigint not null,
          last_fired_time bigint not null,
          last_result integer not null,
          last_run_time bigint not null,
          last_instance_name text not null,
          last_entry_id text null,
          last_summary text null,
          last_success_time bigint null,
          last_failure_time bigint null,
          last_failure_message text null,
          consecutive_failures integer not null default 0,
          run_count bigint not null default 0,
          failure_count bigint not null default 0,
          primary key (sched_name,job_group,job_name)
        );
        CREATE INDEX IF NOT EXISTS idx_qrtz_j_g_n ON qrtz_job_details (sched_name, job_group, job_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_j ON qrtz_triggers (sched_name, job_name, job_group);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_g_n ON qrtz_triggers (sched_name, trigger_group, trigger_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_c ON qrtz_triggers (sched_name, calendar_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time asc, priority desc, misfire_instr);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_inst_job_req_rcvry ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_j_g ON qrtz_fired_triggers (sched_name, job_name, job_group);
        CREATE INDEX IF NOT EXISTS idx_qrtz_ft_t_g ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
        CREATE INDEX IF NOT EXISTS idx_qrtz_eh_fired_time ON qrtz_execution_history (sched_name, fired_time);
        CREATE INDEX IF NOT EXISTS idx_qrtz_eh_inst ON qrtz_execution_history (sched_name, instance_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_mh_misfire_time ON qrtz_misfire_history (sched_name, misfire_time);
        CREATE INDEX IF NOT EXISTS idx_qrtz_mh_inst ON qrtz_misfire_history (sched_name, instance_name);
        CREATE INDEX IF NOT EXISTS idx_qrtz_eh_job_time ON qrtz_execution_history (sched_name, job_group, job_name, fired_time);
        CREATE INDEX IF NOT EXISTS idx_qrtz_eh_fire_inst ON qrtz_execution_history (sched_name, fire_instance_id);
        CREATE INDEX IF NOT EXISTS idx_qrtz_eh_trig_time ON qrtz_execution_history (sched_name, trigger_group, trigger_name, fired_time);
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
        """
        -- Set while an edition's plan is written in parts; left set by a worker that died while writing it.
        ALTER TABLE editions ADD COLUMN planning boolean NOT NULL DEFAULT false;
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
