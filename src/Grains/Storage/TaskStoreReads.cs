using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using TaskFlow.Grains;

namespace TaskFlow.Storage;

/// <summary>The reading side both SQL stores share once their dialect has built the commands.</summary>
internal static class TaskStoreReads
{
    /// <summary>Reads the one row of a <c>state, etag</c> query: the stored value and its version, or null.</summary>
    public static async Task<Versioned<T>?> ReadVersionedAsync<T>(DbCommand command, Func<string, T> parse, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Versioned<T>(parse(reader.GetString(0)), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads a newest-first page. The command asks for <paramref name="limit"/> + 1 rows: the extra row only says
    /// that a next page exists, and the cursor is the last row returned.</summary>
    public static async Task<TaskPage> ReadPageAsync(DbCommand command, int limit, Func<DbDataReader, TaskRecord?> read,
        CancellationToken cancellationToken)
    {
        var items = ImmutableArray.CreateBuilder<TaskRecord>();
        TaskCursor? next = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == limit)
            {
                var last = items[^1];
                next = new TaskCursor(last.CreatedAt, last.TaskId);
                break;
            }
            if (read(reader) is { } record) items.Add(record);
        }
        return new TaskPage(items.ToImmutable(), next);
    }

    /// <summary>Builds metrics from a <c>status, count</c> query and a query of recent durations in milliseconds.</summary>
    public static async Task<TaskMetrics> ReadMetricsAsync(DbCommand counts, DbCommand durationsMs, CancellationToken cancellationToken)
    {
        var byStatus = ImmutableDictionary.CreateBuilder<TaskRunStatus, long>();
        await using (var reader = await counts.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                byStatus[TaskStateJson.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
        }

        var durations = new List<double>();
        await using (var reader = await durationsMs.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) durations.Add(reader.GetInt64(0) / 1000.0);
        }
        return TaskMetricsMath.Build(byStatus.Values.Sum(), byStatus.ToImmutable(), durations);
    }
}
