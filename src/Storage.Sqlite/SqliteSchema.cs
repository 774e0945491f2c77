namespace TaskFlow.Storage;

/// <summary>TaskFlow's SQLite schema, applied idempotently at start. Times are Unix milliseconds (UTC).</summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    public const string Script = """
        CREATE TABLE IF NOT EXISTS taskflow_schema (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);
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
        INSERT OR IGNORE INTO taskflow_schema (version, applied_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        """;
}
