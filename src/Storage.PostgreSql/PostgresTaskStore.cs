using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
public sealed class PostgresTaskStore : GroupCommitTaskStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>Creates the store over an Npgsql connection string (<c>Host=…;Database=…;Username=…</c>).</summary>
    public PostgresTaskStore(string connectionString, ILogger<PostgresTaskStore> logger)
        : base("PostgreSQL", logger)
    {
        // The same few statements run for every task: let Npgsql prepare them, so the server plans each once per
        // connection instead of once per write (unless the connection string says otherwise).
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 32;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _ownsDataSource = true;
    }

    /// <summary>Creates the store over a data source it does not own (the cluster's database, or the application's).</summary>
    internal PostgresTaskStore(NpgsqlDataSource dataSource, ILogger<PostgresTaskStore> logger)
        : base("PostgreSQL", logger)
    {
        _dataSource = dataSource;
    }

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Writer.Started) return;
        await PostgresSchemaMigrator.ApplyAsync(_dataSource, Logger, cancellationToken);
        var connection = await PostgresConnections.OpenAsync(_dataSource, cancellationToken);
        Writer.Start(new PostgresGroupCommitter(_dataSource, connection));
    }

    /// <inheritdoc />
    public override async Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT state, etag FROM taskflow.tasks WHERE task_id = $1", connection);
        command.Parameters.Add(PostgresValues.Uuid(taskId));
        return await TaskStoreReads.ReadVersionedAsync(command, TaskStateJson.Deserialize, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT state, etag FROM taskflow.grain_state WHERE grain_type = $1 AND grain_key = $2", connection);
        command.Parameters.Add(PostgresValues.Text(grainType));
        command.Parameters.Add(PostgresValues.Text(key));
        return await TaskStoreReads.ReadVersionedAsync(command, json => json, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder("SELECT state, task_id FROM taskflow.tasks WHERE true");
        if (query.Statuses is { IsDefault: false, Length: 1 })
        {
            // Equality, not ANY: only then does the (status, created_at DESC, task_id DESC) index hand rows over in page
            // order; with ANY the server sorts every row of the status (about 0.5 s at 1,000,000 pending).
            Filter(sql, command, "status", TaskStateJson.StatusName(query.Statuses[0]));
        }
        else if (!query.Statuses.IsDefaultOrEmpty)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND status = ANY({Add(command, new NpgsqlParameter<string[]> { TypedValue = [.. query.Statuses.Select(TaskStateJson.StatusName)] })})");
        }
        Filter(sql, command, "name", query.Name);
        Filter(sql, command, "source", query.Source is { } source ? TaskStateJson.SourceName(source) : null);
        Filter(sql, command, "schedule_name", query.ScheduleName);
        if (query.Since is { } since) sql.Append(CultureInfo.InvariantCulture, $" AND created_at >= {Add(command, PostgresValues.Bigint(since.ToUnixTimeMilliseconds()))}");
        if (query.Until is { } until) sql.Append(CultureInfo.InvariantCulture, $" AND created_at < {Add(command, PostgresValues.Bigint(until.ToUnixTimeMilliseconds()))}");
        if (query.Search is { Length: > 0 } search)
        {
            var escaped = search.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            var prefix = Add(command, PostgresValues.Text(escaped + "%"));
            var contains = Add(command, PostgresValues.Text("%" + escaped + "%"));
            sql.Append(CultureInfo.InvariantCulture, $" AND (task_id::text LIKE {prefix} ESCAPE '\\' OR name ILIKE {contains} ESCAPE '\\')");
        }
        if (query.After is { } after)
        {
            // A row comparison, so the (created_at DESC, task_id DESC) indexes serve the keyset directly.
            var at = Add(command, PostgresValues.Bigint(after.CreatedAt.ToUnixTimeMilliseconds()));
            var id = Add(command, PostgresValues.Uuid(after.TaskId));
            sql.Append(CultureInfo.InvariantCulture, $" AND (created_at, task_id) < ({at}, {id})");
        }
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY created_at DESC, task_id DESC LIMIT {Add(command, new NpgsqlParameter<int> { TypedValue = query.Limit + 1 })}");
        command.CommandText = sql.ToString();

        return await TaskStoreReads.ReadPageAsync(command, query.Limit, r => TryRead(r.GetString(0), r.GetGuid(1).ToString("D", CultureInfo.InvariantCulture)), cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Kept as rows change (005_taskflow_task_counts.sql): a few rows per status, however long the history.
        await using var counts = new NpgsqlCommand(
            "SELECT status, sum(n)::bigint FROM taskflow.task_counts GROUP BY status HAVING sum(n) <> 0", connection);
        await using var durations = new NpgsqlCommand("""
            SELECT ended_at - started_at FROM taskflow.tasks
            WHERE ended_at IS NOT NULL AND started_at IS NOT NULL
            ORDER BY ended_at DESC LIMIT $1
            """, connection);
        durations.Parameters.Add(new NpgsqlParameter<int> { TypedValue = TaskStoreLimits.DurationSample });
        return await TaskStoreReads.ReadMetricsAsync(counts, durations, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
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
    public override async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One statement: the rows and their counts go together.
        await using var command = new NpgsqlCommand("""
            WITH gone AS (
                DELETE FROM taskflow.tasks
                WHERE ended_at IS NOT NULL AND ended_at < $1 AND status NOT IN ('pending', 'running', 'retrying')
                RETURNING status
            ), counted AS (
                INSERT INTO taskflow.task_counts AS c (status, shard, n)
                SELECT status, pg_backend_pid() % 64, -count(*) FROM gone GROUP BY status ORDER BY status
                ON CONFLICT (status, shard) DO UPDATE SET n = c.n + excluded.n
            )
            SELECT count(*)::int FROM gone
            """, connection);
        command.Parameters.Add(PostgresValues.Bigint(cutoff.ToUnixTimeMilliseconds()));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDataSource) await _dataSource.DisposeAsync();
    }

    private static void Filter(StringBuilder sql, NpgsqlCommand command, string column, string? value)
    {
        if (value is null) return;
        sql.Append(CultureInfo.InvariantCulture, $" AND {column} = {Add(command, PostgresValues.Text(value))}");
    }

    /// <summary>Adds a positional parameter and returns its placeholder.</summary>
    private static string Add(NpgsqlCommand command, NpgsqlParameter parameter)
    {
        command.Parameters.Add(parameter);
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => PostgresConnections.OpenAsync(_dataSource, cancellationToken);
}
