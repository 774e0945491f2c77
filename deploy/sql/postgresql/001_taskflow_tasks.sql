-- TaskFlow history and grain state (version 1). Idempotent: safe to run again by hand with psql -f.
-- Times are Unix milliseconds (UTC), the same values the SQLite store keeps, so both stores page and compare
-- alike and a cursor made by one order means the same in the other.
CREATE SCHEMA IF NOT EXISTS taskflow;

CREATE TABLE IF NOT EXISTS taskflow.tasks (
    task_id          uuid    NOT NULL PRIMARY KEY,
    name             text    NOT NULL,
    status           text    NOT NULL,
    priority         integer NOT NULL,
    source           text    NOT NULL,
    schedule_name    text,
    replay_of        uuid,
    idempotency_key  text,
    created_at       bigint  NOT NULL,
    started_at       bigint,
    ended_at         bigint,
    next_attempt_at  bigint,
    attempts         integer NOT NULL,
    error_type       text,
    etag             bigint  NOT NULL,
    -- The full task state as the runtime wrote it; kept as text (not jsonb) so it reads back byte for byte and a
    -- row the runtime cannot parse is reported, not refused by the database.
    state            text    NOT NULL
);

-- Newest first with a keyset cursor (created_at, task_id), alone or after an equality filter.
CREATE INDEX IF NOT EXISTS ix_tasks_created ON taskflow.tasks (created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS ix_tasks_status_created ON taskflow.tasks (status, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS ix_tasks_name_created ON taskflow.tasks (name, created_at DESC);
CREATE INDEX IF NOT EXISTS ix_tasks_source_created ON taskflow.tasks (source, created_at DESC);
CREATE INDEX IF NOT EXISTS ix_tasks_schedule_created ON taskflow.tasks (schedule_name, created_at DESC) WHERE schedule_name IS NOT NULL;
-- Duration metrics (latest finished) and history deletion (ended before a cutoff).
CREATE INDEX IF NOT EXISTS ix_tasks_ended ON taskflow.tasks (ended_at) WHERE ended_at IS NOT NULL;
-- The recovery sweep walks unfinished tasks in id order; they are few beside the history.
CREATE INDEX IF NOT EXISTS ix_tasks_unfinished ON taskflow.tasks (task_id) WHERE status IN ('pending', 'running', 'retrying');

CREATE TABLE IF NOT EXISTS taskflow.grain_state (
    grain_type text   NOT NULL,
    grain_key  text   NOT NULL,
    etag       bigint NOT NULL,
    state      text   NOT NULL,
    PRIMARY KEY (grain_type, grain_key)
);
