using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Storage;

/// <summary>TaskFlow's SQLite schema as versioned steps, like the PostgreSQL scripts: at start, the steps the file lacks
/// run in order in one transaction and each is recorded in <c>taskflow_schema</c>. A file made by a newer TaskFlow is
/// refused. Times are Unix milliseconds (UTC).</summary>
internal static class SqliteSchema
{
    /// <summary>Every step, oldest first; a released step never changes, a change is a new step.</summary>
    public static IReadOnlyList<Step> Steps { get; } =
    [
        new(1, "tasks and grain state", """
            CREATE TABLE IF NOT EXISTS tasks (
                task_id          TEXT    NOT NULL PRIMARY KEY,
                name             TEXT    NOT NULL,
                status           TEXT    NOT NULL,
                priority         INTEGER NOT NULL,
                source           TEXT    NOT NULL,
                schedule_name    TEXT,
                replay_of        TEXT,
                idempotency_key  TEXT,
                created_at       INTEGER NOT NULL,
                started_at       INTEGER,
                ended_at         INTEGER,
                next_attempt_at  INTEGER,
                attempts         INTEGER NOT NULL,
                error_type       TEXT,
                etag             INTEGER NOT NULL,
                state            TEXT    NOT NULL
            );
            CREATE INDEX IF NOT EXISTS ix_tasks_created ON tasks (created_at DESC, task_id DESC);
            CREATE INDEX IF NOT EXISTS ix_tasks_status_created ON tasks (status, created_at DESC, task_id DESC);
            CREATE INDEX IF NOT EXISTS ix_tasks_name_created ON tasks (name, created_at DESC);
            CREATE INDEX IF NOT EXISTS ix_tasks_source_created ON tasks (source, created_at DESC);
            CREATE INDEX IF NOT EXISTS ix_tasks_schedule_created ON tasks (schedule_name, created_at DESC) WHERE schedule_name IS NOT NULL;
            CREATE INDEX IF NOT EXISTS ix_tasks_ended ON tasks (ended_at) WHERE ended_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS ix_tasks_unfinished ON tasks (task_id) WHERE status IN ('pending', 'running', 'retrying');
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_type TEXT    NOT NULL,
                grain_key  TEXT    NOT NULL,
                etag       INTEGER NOT NULL,
                state      TEXT    NOT NULL,
                PRIMARY KEY (grain_type, grain_key)
            );
            """),
        // Counts by status kept as rows change, so metrics read a handful of rows instead of counting the history.
        // Triggers keep them in the same transaction as every change, whichever statement makes it (the writer,
        // history deletion, a hand edit); SQLite has one writer at a time, so the counter rows cost no contention.
        new(2, "task counts by status", """
            CREATE TABLE task_counts (status TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO task_counts (status, n) SELECT status, COUNT(*) FROM tasks GROUP BY status;
            CREATE TRIGGER tasks_counted_insert AFTER INSERT ON tasks BEGIN
                INSERT INTO task_counts (status, n) VALUES (NEW.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER tasks_counted_delete AFTER DELETE ON tasks BEGIN
                UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
            END;
            CREATE TRIGGER tasks_counted_update AFTER UPDATE OF status ON tasks WHEN OLD.status IS NOT NEW.status BEGIN
                UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
                INSERT INTO task_counts (status, n) VALUES (NEW.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
            END;
            """),
    ];

    /// <summary>The version this code reads and writes.</summary>
    public static int Version => Steps[^1].Version;

    /// <summary>Brings the file to <see cref="Version"/>: the missing steps and their records commit together or not
    /// at all, under SQLite's write lock, so processes opening one file together apply each step once.</summary>
    /// <exception cref="InvalidOperationException">The file was made by a newer TaskFlow.</exception>
    public static async Task UpgradeAsync(SqliteConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        // Not deferred: BEGIN IMMEDIATE takes the write lock before reading the version.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS taskflow_schema (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)", cancellationToken);
        var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM taskflow_schema", cancellationToken),
            CultureInfo.InvariantCulture);
        if (current > Version)
        {
            throw new InvalidOperationException(
                $"The SQLite task store {connection.DataSource} has schema version {current}, written by a newer TaskFlow; " +
                $"this version knows schema versions up to {Version}. Run the newer TaskFlow, or point TaskFlow:Storage at another file.");
        }
        foreach (var step in Steps.Where(s => s.Version > current))
        {
            await ExecuteAsync(connection, transaction, step.Sql, cancellationToken);
            await ExecuteAsync(connection, transaction, string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO taskflow_schema (version, applied_at) VALUES ({step.Version}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"), cancellationToken);
            Log.SchemaScriptApplied(logger, step.Version, step.Name);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>One schema version: what it adds, and the SQL that adds it.</summary>
    public sealed record Step(int Version, string Name, string Sql);
}
