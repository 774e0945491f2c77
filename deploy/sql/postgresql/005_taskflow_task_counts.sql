-- TaskFlow task counts by status (version 5), so GET /tasks/metrics reads a few rows instead of counting the history.
-- The store changes them in the same transaction as the rows they count: the group-commit writer adds one aggregated
-- delta per status per group, history deletion subtracts what it deleted. A writer adds to its own shard (its
-- backend pid modulo 64), so silos committing at once do not queue on one row lock; a read sums the shards.
CREATE TABLE IF NOT EXISTS taskflow.task_counts (
    status text     NOT NULL,
    shard  smallint NOT NULL,
    n      bigint   NOT NULL,
    PRIMARY KEY (status, shard)
);

-- Counts the history again from scratch: run by this script for the rows already there, and by hand after editing
-- taskflow.tasks outside TaskFlow (SELECT taskflow.recount_tasks();). Writers wait while it counts.
CREATE OR REPLACE FUNCTION taskflow.recount_tasks() RETURNS void LANGUAGE sql AS $$
    LOCK TABLE taskflow.tasks IN SHARE MODE;
    DELETE FROM taskflow.task_counts;
    INSERT INTO taskflow.task_counts (status, shard, n) SELECT status, 0, count(*) FROM taskflow.tasks GROUP BY status;
$$;

SELECT taskflow.recount_tasks();
