using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The <c>Sqlite</c> provider, the embedded default: one file, WAL journal, <c>synchronous=FULL</c> so an
/// acknowledged write survives a crash. Writes from every grain go through one writer that commits them in groups:
/// under load, many task transitions share one fsync.</summary>
public sealed class SqliteTaskStore : ITaskStore, IAsyncDisposable
{
    private const int MaxBatch = 512;
    private static readonly string[] UnfinishedStatuses = ["pending", "running", "retrying"];

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _writer;
    private long _commits;
    private long _writesCommitted;

    /// <summary>Creates the store over a Microsoft.Data.Sqlite connection string (<c>Data Source=tasks.db</c>).</summary>
    public SqliteTaskStore(string connectionString, ILogger<SqliteTaskStore> logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DefaultTimeout < 30) builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
        _logger = logger;
    }

    /// <summary>Transactions committed so far (for the write-cost figures).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Row writes committed so far.</summary>
    public long WritesCommitted => Interlocked.Read(ref _writesCommitted);

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null) return;
        var connection = await OpenAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
            await ExecuteAsync(connection, SqliteSchema.Script, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        _writer = Task.Run(() => WriteLoopAsync(connection), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, etag FROM tasks WHERE task_id = $id";
        command.Parameters.AddWithValue("$id", Key(taskId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Versioned<TaskState>(TaskStateJson.Deserialize(reader.GetString(0)), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return EnqueueWrite(new PendingWrite.Task(state, TaskStateJson.Serialize(state), expectedETag));
    }

    /// <inheritdoc />
    public async Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, etag FROM grain_state WHERE grain_type = $type AND grain_key = $key";
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Versioned<string>(reader.GetString(0), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public Task<string> WriteStateAsync(string grainType, string key, string json, string? expectedETag, CancellationToken cancellationToken = default) =>
        EnqueueWrite(new PendingWrite.State(grainType, key, json, expectedETag));

    /// <inheritdoc />
    public Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default) =>
        EnqueueWrite(new PendingWrite.State(grainType, key, null, expectedETag));

    /// <inheritdoc />
    public async Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT state, created_at, task_id FROM tasks WHERE 1 = 1");
        if (!query.Statuses.IsDefaultOrEmpty)
        {
            var names = query.Statuses.Select((s, i) => (Name: $"$s{i}", Value: TaskStateJson.StatusName(s))).ToList();
            sql.Append(" AND status IN (").AppendJoin(", ", names.Select(n => n.Name)).Append(')');
            foreach (var (name, value) in names) command.Parameters.AddWithValue(name, value);
        }
        Filter(sql, command, "name", "$name", query.Name);
        Filter(sql, command, "source", "$source", query.Source is { } source ? TaskStateJson.SourceName(source) : null);
        Filter(sql, command, "schedule_name", "$schedule", query.ScheduleName);
        if (query.Since is { } since)
        {
            sql.Append(" AND created_at >= $since");
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        }
        if (query.Until is { } until)
        {
            sql.Append(" AND created_at < $until");
            command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        }
        if (query.Search is { Length: > 0 } search)
        {
            sql.Append(" AND (task_id LIKE $prefix ESCAPE '\\' OR name LIKE $contains ESCAPE '\\')");
            var escaped = search.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            command.Parameters.AddWithValue("$prefix", escaped + "%");
            command.Parameters.AddWithValue("$contains", "%" + escaped + "%");
        }
        if (query.After is { } after)
        {
            sql.Append(" AND (created_at < $afterAt OR (created_at = $afterAt AND task_id < $afterId))");
            command.Parameters.AddWithValue("$afterAt", after.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$afterId", Key(after.TaskId));
        }
        sql.Append(" ORDER BY created_at DESC, task_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        command.CommandText = sql.ToString();

        return await TaskStoreReads.ReadPageAsync(command, query.Limit, r => TryRead(r.GetString(0), r.GetString(2)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var counts = connection.CreateCommand();
        counts.CommandText = "SELECT status, COUNT(*) FROM tasks GROUP BY status";
        await using var durations = connection.CreateCommand();
        durations.CommandText = """
            SELECT ended_at - started_at FROM tasks
            WHERE ended_at IS NOT NULL AND started_at IS NOT NULL
            ORDER BY ended_at DESC LIMIT $n
            """;
        durations.Parameters.AddWithValue("$n", TaskStoreLimits.DurationSample);
        return await TaskStoreReads.ReadMetricsAsync(counts, durations, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id FROM tasks WHERE status IN ('pending', 'running', 'retrying') AND task_id > $after ORDER BY task_id LIMIT $limit";
        command.Parameters.AddWithValue("$after", after is { } a ? Key(a) : "");
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (Guid.TryParse(reader.GetString(0), out var id)) ids.Add(id);
            else Log.ForeignRowSkipped(_logger, reader.GetString(0));
        }
        return ids;
    }

    /// <inheritdoc />
    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM tasks WHERE ended_at IS NOT NULL AND ended_at < $cutoff AND status NOT IN ('pending', 'running', 'retrying')";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writer is not null) await _writer;
        _stopping.Dispose();
    }

    private Task<string> EnqueueWrite(PendingWrite write)
    {
        if (_writer is null) throw new InvalidOperationException("The SQLite task store was used before it was initialized.");
        if (!_writes.Writer.TryWrite(write)) throw new TaskStoreUnavailableException("The SQLite task store is shutting down.");
        return write.Done.Task;
    }

    private async Task WriteLoopAsync(SqliteConnection connection)
    {
        await using var _ = connection;
        using var statements = new PreparedStatements(connection);
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write)) batch.Add(write);
            var results = new (string? ETag, Exception? Error)[batch.Count];
            try
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                for (var i = 0; i < batch.Count; i++)
                {
                    try
                    {
                        results[i] = (await ApplyAsync(statements, transaction, batch[i]), null);
                    }
                    catch (InconsistentStateException ex)
                    {
                        results[i] = (null, ex);
                    }
                }
                await transaction.CommitAsync();
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _writesCommitted, results.Count(r => r.Error is null));
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
            {
                Log.StoreWriteFailed(_logger, batch.Count, ex);
                var unavailable = new TaskStoreUnavailableException("The SQLite task store could not commit: " + ex.Message);
                for (var i = 0; i < batch.Count; i++) results[i] = (null, unavailable);
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i].Error is { } error) batch[i].Done.TrySetException(error);
                else batch[i].Done.TrySetResult(results[i].ETag!);
            }
        }
    }

    private static async Task<string> ApplyAsync(PreparedStatements statements, SqliteTransaction transaction, PendingWrite write)
    {
        SqliteCommand command;
        long etag;
        switch (write)
        {
            case PendingWrite.Task t:
                var r = t.Value.Record;
                command = statements.For(transaction, t.ExpectedETag is null
                    ? """
                      INSERT INTO tasks (task_id, name, status, priority, source, schedule_name, replay_of, idempotency_key,
                          created_at, started_at, ended_at, next_attempt_at, attempts, error_type, etag, state)
                      VALUES ($id, $name, $status, $priority, $source, $schedule, $replayOf, $key,
                          $created, $started, $ended, $next, $attempts, $errorType, 1, $state)
                      ON CONFLICT (task_id) DO NOTHING
                      """
                    : """
                      UPDATE tasks SET status = $status, priority = $priority, started_at = $started, ended_at = $ended,
                          next_attempt_at = $next, attempts = $attempts, error_type = $errorType, etag = etag + 1, state = $state
                      WHERE task_id = $id AND etag = $etag
                      """);
                command.Parameters.AddWithValue("$id", Key(r.TaskId));
                command.Parameters.AddWithValue("$name", r.Name);
                command.Parameters.AddWithValue("$status", TaskStateJson.StatusName(r.Status));
                command.Parameters.AddWithValue("$priority", r.Priority);
                command.Parameters.AddWithValue("$source", TaskStateJson.SourceName(r.Source));
                command.Parameters.AddWithValue("$schedule", (object?)r.ScheduleName ?? DBNull.Value);
                command.Parameters.AddWithValue("$replayOf", r.ReplayOf is { } replay ? Key(replay) : DBNull.Value);
                command.Parameters.AddWithValue("$key", (object?)r.IdempotencyKey ?? DBNull.Value);
                command.Parameters.AddWithValue("$created", r.CreatedAt.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$started", Millis(r.StartedAt));
                command.Parameters.AddWithValue("$ended", Millis(r.EndedAt));
                command.Parameters.AddWithValue("$next", Millis(r.NextAttemptAt));
                command.Parameters.AddWithValue("$attempts", r.AttemptCount);
                command.Parameters.AddWithValue("$errorType", (object?)r.ErrorType ?? DBNull.Value);
                command.Parameters.AddWithValue("$state", t.Json);
                etag = ParseETag(t.ExpectedETag);
                command.Parameters.AddWithValue("$etag", etag);
                if (await command.ExecuteNonQueryAsync() == 0)
                    throw new InconsistentStateException($"Task {r.TaskId} was written by someone else first.", "", t.ExpectedETag ?? "");
                return (etag + 1).ToString(CultureInfo.InvariantCulture);

            case PendingWrite.State s:
                etag = ParseETag(s.ExpectedETag);
                command = statements.For(transaction, s.Json is null
                    ? "DELETE FROM grain_state WHERE grain_type = $type AND grain_key = $key"
                    : s.ExpectedETag is null
                        ? "INSERT INTO grain_state (grain_type, grain_key, etag, state) VALUES ($type, $key, 1, $state) ON CONFLICT DO NOTHING"
                        : "UPDATE grain_state SET etag = etag + 1, state = $state WHERE grain_type = $type AND grain_key = $key AND etag = $etag");
                command.Parameters.AddWithValue("$type", s.GrainType);
                command.Parameters.AddWithValue("$key", s.Key);
                if (s.Json is null)
                {
                    await command.ExecuteNonQueryAsync();
                    return "";
                }
                command.Parameters.AddWithValue("$etag", etag);
                command.Parameters.AddWithValue("$state", s.Json);
                if (await command.ExecuteNonQueryAsync() == 0)
                    throw new InconsistentStateException($"{s.GrainType}/{s.Key} was written by someone else first.", "", s.ExpectedETag ?? "");
                return (etag + 1).ToString(CultureInfo.InvariantCulture);

            default:
                throw new InvalidOperationException($"Unknown write {write.GetType().Name}.");
        }
    }

    private TaskRecord? TryRead(string json, string id)
    {
        try
        {
            return TaskStateJson.Deserialize(json).Record;
        }
        catch (JsonException ex)
        {
            // A row this version cannot read is reported and skipped; it never breaks a listing.
            Log.CorruptRowSkipped(_logger, id, ex);
            return null;
        }
    }

    private static void Filter(StringBuilder sql, SqliteCommand command, string column, string parameter, string? value)
    {
        if (value is null) return;
        sql.Append(CultureInfo.InvariantCulture, $" AND {column} = {parameter}");
        command.Parameters.AddWithValue(parameter, value);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", cancellationToken);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new TaskStoreUnavailableException($"The SQLite task store ({connection.DataSource}) cannot be opened: {ex.Message}", ex);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Key(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static object Millis(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;

    private static long ParseETag(string? etag) =>
        etag is null ? 0 : long.TryParse(etag, CultureInfo.InvariantCulture, out var value) ? value : -1;

    /// <summary>The writer's statements, kept per SQL text on its one connection: each write binds new values to a
    /// statement SQLite has already compiled instead of parsing and planning its SQL again.</summary>
    private sealed class PreparedStatements(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _bySql = new(StringComparer.Ordinal);

        public SqliteCommand For(SqliteTransaction transaction, string sql)
        {
            if (!_bySql.TryGetValue(sql, out var command))
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
                _bySql[sql] = command;
            }
            command.Transaction = transaction;
            command.Parameters.Clear();
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _bySql.Values) command.Dispose();
        }
    }

    private abstract record PendingWrite
    {
        public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public sealed record Task(TaskState Value, string Json, string? ExpectedETag) : PendingWrite;

        public sealed record State(string GrainType, string Key, string? Json, string? ExpectedETag) : PendingWrite;
    }
}
