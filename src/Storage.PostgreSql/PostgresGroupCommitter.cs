using Npgsql;
using NpgsqlTypes;

namespace TaskFlow.Storage;

/// <summary>PostgreSQL's side of the <see cref="GroupCommitWriter"/>: every write of a group is a statement of one
/// batch (one round trip), then the group's count changes go in as one aggregated delta per status, in the same
/// transaction (<c>005_taskflow_task_counts.sql</c>). The connection is opened lazily and dropped after a failure:
/// it may be broken (server restart, failover, killed backend), so the next group starts on a fresh one.</summary>
internal sealed class PostgresGroupCommitter(NpgsqlDataSource dataSource, NpgsqlConnection? connection) : IGroupCommitter
{
    // Every statement returns one text column, so result set i is write i: a row means the write matched, and a task
    // write's value is the status it replaced (null for a new task).
    private const string InsertTask = """
        INSERT INTO taskflow.tasks (task_id, status, priority, started_at, ended_at, next_attempt_at, attempts, error_type, state,
            name, source, schedule_name, replay_of, idempotency_key, created_at, etag)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)
        ON CONFLICT (task_id) DO NOTHING
        RETURNING NULL::text
        """;

    // The self-join reads the row as it was before this statement: PostgreSQL before 18 returns only new values.
    private const string UpdateTask = """
        UPDATE taskflow.tasks t SET status = $2, priority = $3, started_at = $4, ended_at = $5, next_attempt_at = $6,
            attempts = $7, error_type = $8, etag = t.etag + 1, state = $9
        FROM taskflow.tasks old
        WHERE t.task_id = $1 AND t.etag = $10 AND old.task_id = t.task_id
        RETURNING old.status
        """;

    private const string AddCounts = """
        INSERT INTO taskflow.task_counts AS c (status, shard, n)
        SELECT status, pg_backend_pid() % 64, n FROM unnest($1::text[], $2::bigint[]) AS d(status, n)
        ON CONFLICT (status, shard) DO UPDATE SET n = c.n + excluded.n
        """;

    public async Task CommitAsync(IReadOnlyList<PendingWrite> group, WriteOutcome[] outcomes)
    {
        connection ??= await PostgresConnections.OpenAsync(dataSource, CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        var counts = new TaskCountDeltas();
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var write in group) batch.BatchCommands.Add(Statement(write));
            await using var reader = await batch.ExecuteReaderAsync();
            for (var i = 0; i < group.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync()) throw new InvalidOperationException($"The batch answered {i} of {group.Count} writes.");
                var matched = await reader.ReadAsync();
                if (group[i] is PendingWrite.State { Json: null }) outcomes[i] = WriteOutcome.Stored("");
                else if (!matched) outcomes[i] = WriteOutcome.Failed(group[i].Conflict());
                else
                {
                    outcomes[i] = WriteOutcome.Stored(group[i].NextETag);
                    if (group[i] is PendingWrite.Task t)
                        counts.Moved(await reader.IsDBNullAsync(0) ? null : reader.GetString(0), TaskStateJson.StatusName(t.Value.Status));
                }
            }
        }
        if (!counts.IsEmpty)
        {
            await using var add = new NpgsqlCommand(AddCounts, connection, transaction);
            add.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. counts.Changes.Select(c => c.Status)] });
            add.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. counts.Changes.Select(c => c.Delta)] });
            await add.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    public bool IsUnavailable(Exception error) => error is InvalidOperationException || PostgresConnections.IsUnreachable(error);

    public async ValueTask ResetAsync()
    {
        if (connection is null) return;
        await connection.DisposeAsync();
        connection = null;
    }

    public ValueTask DisposeAsync() => ResetAsync();

    private static NpgsqlBatchCommand Statement(PendingWrite write)
    {
        switch (write)
        {
            case PendingWrite.Task t:
            {
                var r = t.Value.Record;
                var command = new NpgsqlBatchCommand(t.ExpectedETag is null ? InsertTask : UpdateTask);
                // $1–$9: the columns both statements write.
                command.Parameters.Add(PostgresValues.Uuid(r.TaskId));
                command.Parameters.Add(PostgresValues.Text(TaskStateJson.StatusName(r.Status)));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.Priority });
                command.Parameters.Add(PostgresValues.Millis(r.StartedAt));
                command.Parameters.Add(PostgresValues.Millis(r.EndedAt));
                command.Parameters.Add(PostgresValues.Millis(r.NextAttemptAt));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.AttemptCount });
                command.Parameters.Add(PostgresValues.Text(r.ErrorType));
                command.Parameters.Add(PostgresValues.Text(t.Json));
                if (t.ExpectedETag is not null)
                {
                    command.Parameters.Add(PostgresValues.Bigint(PendingWrite.ParseETag(t.ExpectedETag)));
                    return command;
                }
                // $10–$15: what only a new task's row sets.
                command.Parameters.Add(PostgresValues.Text(r.Name));
                command.Parameters.Add(PostgresValues.Text(TaskStateJson.SourceName(r.Source)));
                command.Parameters.Add(PostgresValues.Text(r.ScheduleName));
                command.Parameters.Add(new NpgsqlParameter { Value = r.ReplayOf is { } replay ? replay : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
                command.Parameters.Add(PostgresValues.Text(r.IdempotencyKey));
                command.Parameters.Add(PostgresValues.Bigint(r.CreatedAt.ToUnixTimeMilliseconds()));
                return command;
            }
            case PendingWrite.State { Json: null } s:
            {
                var command = new NpgsqlBatchCommand("DELETE FROM taskflow.grain_state WHERE grain_type = $1 AND grain_key = $2 RETURNING NULL::text");
                command.Parameters.Add(PostgresValues.Text(s.GrainType));
                command.Parameters.Add(PostgresValues.Text(s.Key));
                return command;
            }
            case PendingWrite.State s:
            {
                var command = new NpgsqlBatchCommand(s.ExpectedETag is null
                    ? "INSERT INTO taskflow.grain_state (grain_type, grain_key, etag, state) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING RETURNING NULL::text"
                    : "UPDATE taskflow.grain_state SET etag = etag + 1, state = $3 WHERE grain_type = $1 AND grain_key = $2 AND etag = $4 RETURNING NULL::text");
                command.Parameters.Add(PostgresValues.Text(s.GrainType));
                command.Parameters.Add(PostgresValues.Text(s.Key));
                command.Parameters.Add(PostgresValues.Text(s.Json));
                if (s.ExpectedETag is not null) command.Parameters.Add(PostgresValues.Bigint(PendingWrite.ParseETag(s.ExpectedETag)));
                return command;
            }
            default:
                throw new InvalidOperationException($"Unknown write {write.GetType().Name}.");
        }
    }
}

/// <summary>Typed parameters for the PostgreSQL store: ids as uuid, times as Unix milliseconds.</summary>
internal static class PostgresValues
{
    public static NpgsqlParameter Uuid(Guid id) => new NpgsqlParameter<Guid> { TypedValue = id };

    public static NpgsqlParameter Bigint(long value) => new NpgsqlParameter<long> { TypedValue = value };

    public static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Millis(DateTimeOffset? at) =>
        new() { Value = at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };
}
