using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The <c>Memory</c> provider: for tests and trials, nothing survives the process. Silos of one process with
/// the same service id share one instance, as a real store would be shared.</summary>
public sealed class MemoryTaskStore : ITaskStore
{
    private static readonly ConcurrentDictionary<string, MemoryTaskStore> ByService = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Versioned<TaskState>> _tasks = [];
    private readonly Dictionary<(string, string), Versioned<string>> _states = [];
    // Kept with every change under the same lock, as the SQL stores keep theirs in the same transaction.
    private readonly Dictionary<TaskRunStatus, long> _counts = [];
    private long _version;

    /// <summary>The store shared by every silo of this process with <paramref name="serviceId"/>.</summary>
    public static MemoryTaskStore ForService(string serviceId) => ByService.GetOrAdd(serviceId, _ => new MemoryTaskStore());

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_tasks.GetValueOrDefault(taskId));
    }

    /// <inheritdoc />
    public Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            var id = state.Record.TaskId;
            var stored = _tasks.GetValueOrDefault(id);
            Check(stored?.ETag, expectedETag, $"task {id}");
            var etag = NextETag();
            _tasks[id] = new Versioned<TaskState>(state, etag);
            if (stored is not null) Count(stored.Value.Status, -1);
            Count(state.Status, +1);
            return Task.FromResult(etag);
        }
    }

    /// <inheritdoc />
    public Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_states.GetValueOrDefault((grainType, key)));
    }

    /// <inheritdoc />
    public Task<string> WriteStateAsync(string grainType, string key, string json, string? expectedETag, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Check(_states.GetValueOrDefault((grainType, key))?.ETag, expectedETag, $"{grainType}/{key}");
            var etag = NextETag();
            _states[(grainType, key)] = new Versioned<string>(json, etag);
            return Task.FromResult(etag);
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        lock (_gate) _states.Remove((grainType, key));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        List<TaskRecord> all;
        lock (_gate) all = [.. _tasks.Values.Select(v => v.Value.Record)];

        IEnumerable<TaskRecord> rows = all;
        if (!query.Statuses.IsDefaultOrEmpty) rows = rows.Where(r => query.Statuses.Contains(r.Status));
        if (query.Name is { } name) rows = rows.Where(r => r.Name == name);
        if (query.Source is { } source) rows = rows.Where(r => r.Source == source);
        if (query.ScheduleName is { } schedule) rows = rows.Where(r => r.ScheduleName == schedule);
        if (query.Since is { } since) rows = rows.Where(r => r.CreatedAt >= since);
        if (query.Until is { } until) rows = rows.Where(r => r.CreatedAt < until);
        if (query.Search is { Length: > 0 } search)
            rows = rows.Where(r => r.TaskId.ToString("D").StartsWith(search, StringComparison.OrdinalIgnoreCase) ||
                                   r.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
        rows = rows.OrderByDescending(r => Millis(r.CreatedAt)).ThenByDescending(r => r.TaskId.ToString("N", CultureInfo.InvariantCulture), StringComparer.Ordinal);
        if (query.After is { } after)
        {
            var afterMs = Millis(after.CreatedAt);
            var afterId = after.TaskId.ToString("N", CultureInfo.InvariantCulture);
            rows = rows.Where(r => Millis(r.CreatedAt) < afterMs ||
                                   (Millis(r.CreatedAt) == afterMs && string.CompareOrdinal(r.TaskId.ToString("N", CultureInfo.InvariantCulture), afterId) < 0));
        }

        var page = rows.Take(query.Limit + 1).ToList();
        var next = page.Count > query.Limit ? new TaskCursor(page[query.Limit - 1].CreatedAt, page[query.Limit - 1].TaskId) : null;
        return Task.FromResult(new TaskPage([.. page.Take(query.Limit)], next));
    }

    /// <inheritdoc />
    public Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        ImmutableDictionary<TaskRunStatus, long> byStatus;
        List<TaskRecord> finished;
        lock (_gate)
        {
            byStatus = _counts.Where(p => p.Value != 0).ToImmutableDictionary();
            finished = [.. _tasks.Values.Select(v => v.Value.Record).Where(r => r.Status.IsTerminal() && r.DurationSeconds is not null)];
        }
        var durations = finished.OrderByDescending(r => r.EndedAt).Take(TaskStoreLimits.DurationSample)
            .Select(r => r.DurationSeconds!.Value).ToList();
        return Task.FromResult(TaskMetricsMath.Build(byStatus.Values.Sum(), byStatus, durations));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Guid> ids = _tasks.Values.Where(v => !v.Value.Status.IsTerminal())
                .Select(v => v.Value.Record.TaskId).Where(id => after is null || id.CompareTo(after.Value) > 0)
                .Order().Take(limit).ToList();
            return Task.FromResult(ids);
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var doomed = _tasks.Values.Where(v => v.Value.Status.IsTerminal() && v.Value.Record.EndedAt < cutoff)
                .Select(v => v.Value.Record).ToList();
            foreach (var record in doomed)
            {
                _tasks.Remove(record.TaskId);
                Count(record.Status, -1);
            }
            return Task.FromResult(doomed.Count);
        }
    }

    private void Count(TaskRunStatus status, long delta) => _counts[status] = _counts.GetValueOrDefault(status) + delta;

    private string NextETag() => (++_version).ToString(CultureInfo.InvariantCulture);

    private static long Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static void Check(string? stored, string? expected, string what)
    {
        if (stored != expected)
            throw new InconsistentStateException($"The stored version of {what} changed (stored {stored ?? "none"}, expected {expected ?? "none"}).", stored ?? "", expected ?? "");
    }
}

/// <summary>Success rate and duration statistics, computed the same way for every store.</summary>
public static class TaskMetricsMath
{
    /// <summary>Builds metrics from counts and a sample of durations (seconds).</summary>
    public static TaskMetrics Build(long total, ImmutableDictionary<TaskRunStatus, long> byStatus, IReadOnlyList<double> durations)
    {
        ArgumentNullException.ThrowIfNull(byStatus);
        ArgumentNullException.ThrowIfNull(durations);
        var terminal = byStatus.Where(p => p.Key.IsTerminal()).Sum(p => p.Value);
        var sorted = durations.Order().ToList();
        return new TaskMetrics
        {
            Total = total,
            ByStatus = byStatus,
            SuccessRate = terminal == 0 ? null : (double)byStatus.GetValueOrDefault(TaskRunStatus.Success) / terminal,
            AvgDurationSeconds = sorted.Count == 0 ? null : sorted.Average(),
            P95DurationSeconds = sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(0.95 * sorted.Count) - 1, 0, sorted.Count - 1)],
        };
    }
}
