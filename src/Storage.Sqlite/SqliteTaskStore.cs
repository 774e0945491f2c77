using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The <c>Sqlite</c> provider, the embedded default: one file, WAL journal, <c>synchronous=FULL</c> so an
/// acknowledged write survives a crash. Writes from every grain go through one writer that commits them in groups:
/// under load, many task transitions share one fsync.</summary>
public sealed class SqliteTaskStore : GroupCommitTaskStore
{
    private readonly string _connectionString;

    /// <summary>Creates the store over a Microsoft.Data.Sqlite connection string (<c>Data Source=tasks.db</c>).</summary>
    public SqliteTaskStore(string connectionString, ILogger<SqliteTaskStore> logger)
        : base("SQLite", logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DefaultTimeout < 30) builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
    }

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Writer.Started) return;
        var connection = await OpenAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
            await SqliteSchema.UpgradeAsync(connection, Logger, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        Writer.Start(new SqliteGroupCommitter(connection));
    }

    /// <inheritdoc />
    public override async Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, etag FROM tasks WHERE task_id = $id";
        command.Parameters.AddWithValue("$id", SqliteValues.Key(taskId));
        return await TaskStoreReads.ReadVersionedAsync(command, TaskStateJson.Deserialize, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, etag FROM grain_state WHERE grain_type = $type AND grain_key = $key";
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$key", key);
        return await TaskStoreReads.ReadVersionedAsync(command, json => json, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default)
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
            command.Parameters.AddWithValue("$afterId", SqliteValues.Key(after.TaskId));
        }
        sql.Append(" ORDER BY created_at DESC, task_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        command.CommandText = sql.ToString();

        return await TaskStoreReads.ReadPageAsync(command, query.Limit, r => TryRead(r.GetString(0), r.GetString(2)), cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var counts = connection.CreateCommand();
        // Kept by triggers as rows change (SqliteSchema step 2): a few rows, however long the history.
        counts.CommandText = "SELECT status, n FROM task_counts WHERE n <> 0";
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
    public override async Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id FROM tasks WHERE status IN ('pending', 'running', 'retrying') AND task_id > $after ORDER BY task_id LIMIT $limit";
        command.Parameters.AddWithValue("$after", after is { } a ? SqliteValues.Key(a) : "");
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (Guid.TryParse(reader.GetString(0), out var id)) ids.Add(id);
            else Log.ForeignRowSkipped(Logger, reader.GetString(0));
        }
        return ids;
    }

    /// <inheritdoc />
    public override async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM tasks WHERE ended_at IS NOT NULL AND ended_at < $cutoff AND status NOT IN ('pending', 'running', 'retrying')";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
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
}
