using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The <c>Postgres</c> provider, the cluster store: tables in schema <c>taskflow</c>, versioned scripts applied
/// at start (<see cref="PostgresSchemaMigrator"/>). As in <c>SqliteTaskStore</c> (TaskFlow.Storage.Sqlite), writes from every grain of the
/// silo go through one writer on one connection that sends each group as one batch in one transaction: under load,
/// many task transitions share one round trip and one WAL flush.</summary>
public sealed class PostgresTaskStore : ITaskStore, IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private long _commits;
    private long _writesCommitted;

    /// <summary>Creates the store over an Npgsql connection string (<c>Host=…;Database=…;Username=…</c>).</summary>
    public PostgresTaskStore(string connectionString, ILogger<PostgresTaskStore> logger)
    {
        // The same few statements run for every task: let Npgsql prepare them, so the server plans each once per
        // connection instead of once per write (unless the connection string says otherwise).
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 32;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _ownsDataSource = true;
        _logger = logger;
    }

    /// <summary>Creates the store over a data source it does not own (the cluster's database, or the application's).</summary>
    internal PostgresTaskStore(NpgsqlDataSource dataSource, ILogger<PostgresTaskStore> logger)
    {
        _dataSource = dataSource;
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
        await PostgresSchemaMigrator.ApplyAsync(_dataSource, _logger, cancellationToken);
        var connection = await PostgresConnections.OpenAsync(_dataSource, cancellationToken);
        _writer = Task.Run(() => WriteLoopAsync(connection), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT state, etag FROM taskflow.tasks WHERE task_id = $1", connection);
        command.Parameters.Add(Uuid(taskId));
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
        await using var command = new NpgsqlCommand("SELECT state, etag FROM taskflow.grain_state WHERE grain_type = $1 AND grain_key = $2", connection);
        command.Parameters.Add(Text(grainType));
        command.Parameters.Add(Text(key));
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
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder("SELECT state, task_id FROM taskflow.tasks WHERE true");
        if (!query.Statuses.IsDefaultOrEmpty)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND status = ANY({Add(command, new NpgsqlParameter<string[]> { TypedValue = [.. query.Statuses.Select(TaskStateJson.StatusName)] })})");
        }
        Filter(sql, command, "name", query.Name);
        Filter(sql, command, "source", query.Source is { } source ? TaskStateJson.SourceName(source) : null);
        Filter(sql, command, "schedule_name", query.ScheduleName);
        if (query.Since is { } since) sql.Append(CultureInfo.InvariantCulture, $" AND created_at >= {Add(command, Bigint(since.ToUnixTimeMilliseconds()))}");
        if (query.Until is { } until) sql.Append(CultureInfo.InvariantCulture, $" AND created_at < {Add(command, Bigint(until.ToUnixTimeMilliseconds()))}");
        if (query.Search is { Length: > 0 } search)
        {
            var escaped = search.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            var prefix = Add(command, Text(escaped + "%"));
            var contains = Add(command, Text("%" + escaped + "%"));
            sql.Append(CultureInfo.InvariantCulture, $" AND (task_id::text LIKE {prefix} ESCAPE '\\' OR name ILIKE {contains} ESCAPE '\\')");
        }
        if (query.After is { } after)
        {
            // A row comparison, so the (created_at DESC, task_id DESC) indexes serve the keyset directly.
            var at = Add(command, Bigint(after.CreatedAt.ToUnixTimeMilliseconds()));
            var id = Add(command, Uuid(after.TaskId));
            sql.Append(CultureInfo.InvariantCulture, $" AND (created_at, task_id) < ({at}, {id})");
        }
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY created_at DESC, task_id DESC LIMIT {Add(command, new NpgsqlParameter<int> { TypedValue = query.Limit + 1 })}");
        command.CommandText = sql.ToString();

        return await TaskStoreReads.ReadPageAsync(command, query.Limit, r => TryRead(r.GetString(0), r.GetGuid(1)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var counts = new NpgsqlCommand("SELECT status, count(*) FROM taskflow.tasks GROUP BY status", connection);
        await using var durations = new NpgsqlCommand("""
            SELECT ended_at - started_at FROM taskflow.tasks
            WHERE ended_at IS NOT NULL AND started_at IS NOT NULL
            ORDER BY ended_at DESC LIMIT $1
            """, connection);
        durations.Parameters.Add(new NpgsqlParameter<int> { TypedValue = TaskStoreLimits.DurationSample });
        return await TaskStoreReads.ReadMetricsAsync(counts, durations, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT task_id FROM taskflow.tasks
            WHERE status IN ('pending', 'running', 'retrying') AND ($1::uuid IS NULL OR task_id > $1)
            ORDER BY task_id LIMIT $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = after is { } a ? a : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <inheritdoc />
    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            DELETE FROM taskflow.tasks
            WHERE ended_at IS NOT NULL AND ended_at < $1 AND status NOT IN ('pending', 'running', 'retrying')
            """, connection);
        command.Parameters.Add(Bigint(cutoff.ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writer is not null) await _writer;
        if (_ownsDataSource) await _dataSource.DisposeAsync();
    }

    private Task<string> EnqueueWrite(PendingWrite write)
    {
        if (_writer is null) throw new InvalidOperationException("The PostgreSQL task store was used before it was initialized.");
        if (!_writes.Writer.TryWrite(write)) throw new TaskStoreUnavailableException("The PostgreSQL task store is shutting down.");
        return write.Done.Task;
    }

    private async Task WriteLoopAsync(NpgsqlConnection initial)
    {
        NpgsqlConnection? connection = initial;
        var batch = new List<PendingWrite>(MaxBatch);
        try
        {
            while (await _writes.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write)) batch.Add(write);
                var results = new (string? ETag, Exception? Error)[batch.Count];
                try
                {
                    connection ??= await PostgresConnections.OpenAsync(_dataSource, CancellationToken.None);
                    await CommitAsync(connection, batch, results);
                    Interlocked.Increment(ref _commits);
                    Interlocked.Add(ref _writesCommitted, results.Count(r => r.Error is null));
                }
                catch (Exception ex) when (ex is TaskStoreUnavailableException or InvalidOperationException || PostgresConnections.IsUnreachable(ex))
                {
                    Log.StoreWriteFailed(_logger, batch.Count, ex);
                    var unavailable = ex as TaskStoreUnavailableException ?? new TaskStoreUnavailableException("The PostgreSQL task store could not commit: " + ex.Message, ex);
                    for (var i = 0; i < batch.Count; i++) results[i] = (null, unavailable);
                    // The connection may be broken (server restart, failover, killed backend): start the next group
                    // on a fresh one rather than guess.
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    if (results[i].Error is { } error) batch[i].Done.TrySetException(error);
                    else batch[i].Done.TrySetResult(results[i].ETag!);
                }
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    /// <summary>One round trip, one transaction: every write of the group is a statement of one batch; a conditional
    /// write that matched no row is the caller's conflict, not the group's failure.</summary>
    private static async Task CommitAsync(NpgsqlConnection connection, List<PendingWrite> batch, (string? ETag, Exception? Error)[] results)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var write in batch) commands.BatchCommands.Add(Statement(write));
        await commands.ExecuteNonQueryAsync();
        await transaction.CommitAsync();

        for (var i = 0; i < batch.Count; i++)
        {
            var (expected, what) = batch[i] switch
            {
                PendingWrite.Task t => (t.ExpectedETag, $"Task {t.Value.Record.TaskId}"),
                PendingWrite.State s => (s.ExpectedETag, $"{s.GrainType}/{s.Key}"),
                _ => throw new InvalidOperationException($"Unknown write {batch[i].GetType().Name}."),
            };
            if (batch[i] is PendingWrite.State { Json: null }) results[i] = ("", null);
            else if (commands.BatchCommands[i].RecordsAffected == 0)
                results[i] = (null, new InconsistentStateException($"{what} was written by someone else first.", "", expected ?? ""));
            else results[i] = ((ParseETag(expected) + 1).ToString(CultureInfo.InvariantCulture), null);
        }
    }

    private static NpgsqlBatchCommand Statement(PendingWrite write)
    {
        switch (write)
        {
            case PendingWrite.Task { ExpectedETag: null } t:
            {
                var r = t.Value.Record;
                var command = new NpgsqlBatchCommand("""
                    INSERT INTO taskflow.tasks (task_id, name, status, priority, source, schedule_name, replay_of, idempotency_key,
                        created_at, started_at, ended_at, next_attempt_at, attempts, error_type, etag, state)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15)
                    ON CONFLICT (task_id) DO NOTHING
                    """);
                command.Parameters.Add(Uuid(r.TaskId));
                command.Parameters.Add(Text(r.Name));
                command.Parameters.Add(Text(TaskStateJson.StatusName(r.Status)));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.Priority });
                command.Parameters.Add(Text(TaskStateJson.SourceName(r.Source)));
                command.Parameters.Add(Text(r.ScheduleName));
                command.Parameters.Add(new NpgsqlParameter { Value = r.ReplayOf is { } replay ? replay : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
                command.Parameters.Add(Text(r.IdempotencyKey));
                command.Parameters.Add(Bigint(r.CreatedAt.ToUnixTimeMilliseconds()));
                command.Parameters.Add(Millis(r.StartedAt));
                command.Parameters.Add(Millis(r.EndedAt));
                command.Parameters.Add(Millis(r.NextAttemptAt));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.AttemptCount });
                command.Parameters.Add(Text(r.ErrorType));
                command.Parameters.Add(Text(t.Json));
                return command;
            }
            case PendingWrite.Task t:
            {
                var r = t.Value.Record;
                var command = new NpgsqlBatchCommand("""
                    UPDATE taskflow.tasks SET status = $2, priority = $3, started_at = $4, ended_at = $5, next_attempt_at = $6,
                        attempts = $7, error_type = $8, etag = etag + 1, state = $9
                    WHERE task_id = $1 AND etag = $10
                    """);
                command.Parameters.Add(Uuid(r.TaskId));
                command.Parameters.Add(Text(TaskStateJson.StatusName(r.Status)));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.Priority });
                command.Parameters.Add(Millis(r.StartedAt));
                command.Parameters.Add(Millis(r.EndedAt));
                command.Parameters.Add(Millis(r.NextAttemptAt));
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.AttemptCount });
                command.Parameters.Add(Text(r.ErrorType));
                command.Parameters.Add(Text(t.Json));
                command.Parameters.Add(Bigint(ParseETag(t.ExpectedETag)));
                return command;
            }
            case PendingWrite.State { Json: null } s:
            {
                var command = new NpgsqlBatchCommand("DELETE FROM taskflow.grain_state WHERE grain_type = $1 AND grain_key = $2");
                command.Parameters.Add(Text(s.GrainType));
                command.Parameters.Add(Text(s.Key));
                return command;
            }
            case PendingWrite.State s:
            {
                var command = new NpgsqlBatchCommand(s.ExpectedETag is null
                    ? "INSERT INTO taskflow.grain_state (grain_type, grain_key, etag, state) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING"
                    : "UPDATE taskflow.grain_state SET etag = etag + 1, state = $3 WHERE grain_type = $1 AND grain_key = $2 AND etag = $4");
                command.Parameters.Add(Text(s.GrainType));
                command.Parameters.Add(Text(s.Key));
                command.Parameters.Add(Text(s.Json));
                if (s.ExpectedETag is not null) command.Parameters.Add(Bigint(ParseETag(s.ExpectedETag)));
                return command;
            }
            default:
                throw new InvalidOperationException($"Unknown write {write.GetType().Name}.");
        }
    }

    private TaskRecord? TryRead(string json, Guid id)
    {
        try
        {
            return TaskStateJson.Deserialize(json).Record;
        }
        catch (JsonException ex)
        {
            // A row this version cannot read is reported and skipped; it never breaks a listing.
            Log.CorruptRowSkipped(_logger, id.ToString("D", CultureInfo.InvariantCulture), ex);
            return null;
        }
    }

    private static void Filter(StringBuilder sql, NpgsqlCommand command, string column, string? value)
    {
        if (value is null) return;
        sql.Append(CultureInfo.InvariantCulture, $" AND {column} = {Add(command, Text(value))}");
    }

    /// <summary>Adds a positional parameter and returns its placeholder.</summary>
    private static string Add(NpgsqlCommand command, NpgsqlParameter parameter)
    {
        command.Parameters.Add(parameter);
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => PostgresConnections.OpenAsync(_dataSource, cancellationToken);

    private static NpgsqlParameter Uuid(Guid id) => new NpgsqlParameter<Guid> { TypedValue = id };

    private static NpgsqlParameter Bigint(long value) => new NpgsqlParameter<long> { TypedValue = value };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Millis(DateTimeOffset? at) =>
        new() { Value = at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static long ParseETag(string? etag) =>
        etag is null ? 0 : long.TryParse(etag, CultureInfo.InvariantCulture, out var value) ? value : -1;

    private abstract record PendingWrite
    {
        public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public sealed record Task(TaskState Value, string Json, string? ExpectedETag) : PendingWrite;

        public sealed record State(string GrainType, string Key, string? Json, string? ExpectedETag) : PendingWrite;
    }
}
