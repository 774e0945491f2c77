using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>One page of <c>GET /tasks</c>.</summary>
public sealed record TaskListResponse(IReadOnlyList<TaskResponse> Items, string? NextCursor);

/// <summary>The body of <c>GET /tasks/metrics</c>.</summary>
public sealed record MetricsResponse(
    long Total, long Awaiting, long Pending, long Running, long Retrying, long Success, long Failed, long Interrupted, long Cancelled,
    double? SuccessRate, double? AvgDurationSeconds, double? P95DurationSeconds,
    IReadOnlyDictionary<string, int> QueuedByPriority, int MaxConcurrency)
{
    internal static MetricsResponse From(TaskMetrics m)
    {
        long Count(TaskRunStatus s) => m.ByStatus.GetValueOrDefault(s);
        return new MetricsResponse(
            m.Total, Count(TaskRunStatus.Awaiting), Count(TaskRunStatus.Pending), Count(TaskRunStatus.Running), Count(TaskRunStatus.Retrying),
            Count(TaskRunStatus.Success), Count(TaskRunStatus.Failed), Count(TaskRunStatus.Interrupted), Count(TaskRunStatus.Cancelled),
            m.SuccessRate, m.AvgDurationSeconds, m.P95DurationSeconds,
            m.QueuedByPriority.OrderByDescending(p => p.Key)
                .ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value),
            m.MaxConcurrency);
    }
}

/// <summary>The body of <c>DELETE /tasks/history</c>.</summary>
public sealed record DeleteHistoryResponse(int Deleted);
