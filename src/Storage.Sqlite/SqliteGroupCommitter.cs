using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TaskFlow.Storage;

/// <summary>SQLite's side of the <see cref="GroupCommitWriter"/>: one connection, one transaction per group, each write
/// a prepared statement run in turn (SQLite answers in-process, so a round trip costs nothing to save).</summary>
internal sealed class SqliteGroupCommitter(SqliteConnection connection) : IGroupCommitter
{
    private const string InsertTask = """
        INSERT INTO tasks (task_id, name, status, priority, source, schedule_name, replay_of, idempotency_key,
            created_at, started_at, ended_at, next_attempt_at, attempts, error_type, etag, state)
        VALUES ($id, $name, $status, $priority, $source, $schedule, $replayOf, $key,
            $created, $started, $ended, $next, $attempts, $errorType, 1, $state)
        ON CONFLICT (task_id) DO NOTHING
        """;

    private const string UpdateTask = """
        UPDATE tasks SET status = $status, priority = $priority, started_at = $started, ended_at = $ended,
            next_attempt_at = $next, attempts = $attempts, error_type = $errorType, etag = etag + 1, state = $state
        WHERE task_id = $id AND etag = $etag
        """;

    // The writer's statements, kept per SQL text on its one connection: each write binds new values to a statement
    // SQLite has already compiled instead of parsing and planning its SQL again.
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    public async Task CommitAsync(IReadOnlyList<PendingWrite> group, WriteOutcome[] outcomes)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        for (var i = 0; i < group.Count; i++)
        {
            var command = Bind(transaction, group[i]);
            outcomes[i] = await command.ExecuteNonQueryAsync() > 0 || group[i] is PendingWrite.State { Json: null }
                ? WriteOutcome.Stored(group[i] is PendingWrite.State { Json: null } ? "" : group[i].NextETag)
                : WriteOutcome.Failed(group[i].Conflict());
        }
        await transaction.CommitAsync();
    }

    public bool IsUnavailable(Exception error) => error is SqliteException or InvalidOperationException or IOException;

    // One connection for the writer's life: a failed group rolled back and the connection stays usable.
    public ValueTask ResetAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values) await command.DisposeAsync();
        await connection.DisposeAsync();
    }

    private SqliteCommand Bind(SqliteTransaction transaction, PendingWrite write)
    {
        switch (write)
        {
            case PendingWrite.Task t:
            {
                var r = t.Value.Record;
                var command = Prepared(transaction, t.ExpectedETag is null ? InsertTask : UpdateTask);
                command.Parameters.AddWithValue("$id", SqliteValues.Key(r.TaskId));
                command.Parameters.AddWithValue("$name", r.Name);
                command.Parameters.AddWithValue("$status", TaskStateJson.StatusName(r.Status));
                command.Parameters.AddWithValue("$priority", r.Priority);
                command.Parameters.AddWithValue("$source", TaskStateJson.SourceName(r.Source));
                command.Parameters.AddWithValue("$schedule", (object?)r.ScheduleName ?? DBNull.Value);
                command.Parameters.AddWithValue("$replayOf", r.ReplayOf is { } replay ? SqliteValues.Key(replay) : DBNull.Value);
                command.Parameters.AddWithValue("$key", (object?)r.IdempotencyKey ?? DBNull.Value);
                command.Parameters.AddWithValue("$created", r.CreatedAt.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$started", SqliteValues.Millis(r.StartedAt));
                command.Parameters.AddWithValue("$ended", SqliteValues.Millis(r.EndedAt));
                command.Parameters.AddWithValue("$next", SqliteValues.Millis(r.NextAttemptAt));
                command.Parameters.AddWithValue("$attempts", r.AttemptCount);
                command.Parameters.AddWithValue("$errorType", (object?)r.ErrorType ?? DBNull.Value);
                command.Parameters.AddWithValue("$state", t.Json);
                command.Parameters.AddWithValue("$etag", PendingWrite.ParseETag(t.ExpectedETag));
                return command;
            }
            case PendingWrite.State s:
            {
                var command = Prepared(transaction, s.Json is null
                    ? "DELETE FROM grain_state WHERE grain_type = $type AND grain_key = $key"
                    : s.ExpectedETag is null
                        ? "INSERT INTO grain_state (grain_type, grain_key, etag, state) VALUES ($type, $key, 1, $state) ON CONFLICT DO NOTHING"
                        : "UPDATE grain_state SET etag = etag + 1, state = $state WHERE grain_type = $type AND grain_key = $key AND etag = $etag");
                command.Parameters.AddWithValue("$type", s.GrainType);
                command.Parameters.AddWithValue("$key", s.Key);
                if (s.Json is null) return command;
                command.Parameters.AddWithValue("$etag", PendingWrite.ParseETag(s.ExpectedETag));
                command.Parameters.AddWithValue("$state", s.Json);
                return command;
            }
            default:
                throw new InvalidOperationException($"Unknown write {write.GetType().Name}.");
        }
    }

    private SqliteCommand Prepared(SqliteTransaction transaction, string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            try
            {
                command.CommandText = sql;
                command.Transaction = transaction;
                command.Prepare();
            }
            catch
            {
                command.Dispose();
                throw;
            }
            _prepared[sql] = command;
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        return command;
    }
}

/// <summary>How the SQLite store writes keys and times: ids as lowercase text, times as Unix milliseconds.</summary>
internal static class SqliteValues
{
    public static string Key(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    public static object Millis(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;
}
