using System.Collections.Immutable;
using Orleans.Concurrency;

namespace TaskFlow.Grains;

/// <summary>Queries over the history table, served by any silo. API nodes reach history only through this grain, so
/// they hold no database credentials.</summary>
[Alias("taskflow.ITaskQueryGrain")]
public interface ITaskQueryGrain : IGrainWithIntegerKey
{
    /// <summary>Tasks matching <paramref name="query"/>, newest first.</summary>
    [Alias("List"), ReadOnly]
    Task<TaskPage> List(TaskQuery query);

    /// <summary>Counts by status, durations, and the dispatcher's queue.</summary>
    [Alias("Metrics"), ReadOnly]
    Task<TaskMetrics> Metrics();

    /// <summary>Deletes terminal tasks that ended before <paramref name="cutoff"/>; returns how many.</summary>
    [Alias("DeleteHistory")]
    Task<int> DeleteHistory(DateTimeOffset cutoff);
}

/// <summary>A filter over the task history. Every field is optional.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskQuery.v1")]
public sealed record TaskQuery
{
    /// <summary>Any of these statuses.</summary>
    [Id(0)] public ImmutableArray<TaskRunStatus> Statuses { get; init; } = [];
    /// <summary>Exactly this task name.</summary>
    [Id(1)] public string? Name { get; init; }
    /// <summary>Created by this source.</summary>
    [Id(2)] public TaskSource? Source { get; init; }
    /// <summary>Created at or after.</summary>
    [Id(3)] public DateTimeOffset? Since { get; init; }
    /// <summary>Created before.</summary>
    [Id(4)] public DateTimeOffset? Until { get; init; }
    /// <summary>Id prefix or name substring, case-insensitive.</summary>
    [Id(5)] public string? Search { get; init; }
    /// <summary>Page size, 1–500.</summary>
    [Id(6)] public int Limit { get; init; } = 50;
    /// <summary>Where the previous page ended.</summary>
    [Id(7)] public TaskCursor? After { get; init; }
    /// <summary>Created by this schedule.</summary>
    [Id(8)] public string? ScheduleName { get; init; }
}

/// <summary>A position in the newest-first order: the last row of the previous page.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskCursor.v1")]
public sealed record TaskCursor([property: Id(0)] DateTimeOffset CreatedAt, [property: Id(1)] Guid TaskId)
{
    /// <summary>The opaque text form used in URLs.</summary>
    public string Encode() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{CreatedAt.ToUnixTimeMilliseconds()}:{TaskId:N}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Reads the text form; false when it is not one (never throws, whatever the text).</summary>
    public static bool TryDecode(string text, out TaskCursor? cursor)
    {
        cursor = null;
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ms) ||
                !Guid.TryParseExact(parts[1], "N", out var id)) return false;
            if (ms < MinMilliseconds || ms > MaxMilliseconds) return false;
            cursor = new TaskCursor(DateTimeOffset.FromUnixTimeMilliseconds(ms), id);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>One page of tasks.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskPage.v1")]
public sealed record TaskPage([property: Id(0)] ImmutableArray<TaskRecord> Items, [property: Id(1)] TaskCursor? Next);

/// <summary>What <c>GET /tasks/metrics</c> reports.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskMetrics.v1")]
public sealed record TaskMetrics
{
    /// <summary>Tasks in the history.</summary>
    [Id(0)] public long Total { get; init; }
    /// <summary>Tasks by status.</summary>
    [Id(1)] public ImmutableDictionary<TaskRunStatus, long> ByStatus { get; init; } = ImmutableDictionary<TaskRunStatus, long>.Empty;
    /// <summary>Share of terminal tasks that succeeded (0–1); null before any ended.</summary>
    [Id(2)] public double? SuccessRate { get; init; }
    /// <summary>Mean duration of recently finished tasks, in seconds.</summary>
    [Id(3)] public double? AvgDurationSeconds { get; init; }
    /// <summary>95th percentile duration of recently finished tasks, in seconds.</summary>
    [Id(4)] public double? P95DurationSeconds { get; init; }
    /// <summary>Tasks waiting for a slot, by priority.</summary>
    [Id(5)] public ImmutableDictionary<int, int> QueuedByPriority { get; init; } = ImmutableDictionary<int, int>.Empty;
    /// <summary>Slots in use right now.</summary>
    [Id(6)] public int RunningSlots { get; init; }
    /// <summary>The global limit.</summary>
    [Id(7)] public int MaxConcurrency { get; init; }
}
