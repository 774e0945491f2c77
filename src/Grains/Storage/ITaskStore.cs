using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The durable truth of TaskFlow: one row per task with real columns (status, name, priority, source,
/// schedule, times) beside the task's full state, plus small keyed states of other grains. Every write is
/// conditional on the version read (the etag), so two activations can never both win.</summary>
public interface ITaskStore
{
    /// <summary>Creates or upgrades the schema; fails fast when the store cannot be reached.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The task's state and version, or null.</summary>
    Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Stores the task when its stored version is still <paramref name="expectedETag"/> (null: it must not
    /// exist yet); returns the new version.</summary>
    /// <exception cref="Orleans.Storage.InconsistentStateException">Another writer got there first.</exception>
    /// <exception cref="TaskStoreUnavailableException">The store cannot be reached.</exception>
    Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default);

    /// <summary>A keyed grain state as JSON, or null.</summary>
    Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default);

    /// <summary>Stores a keyed grain state under the same versioning rule as tasks.</summary>
    Task<string> WriteStateAsync(string grainType, string key, string json, string? expectedETag, CancellationToken cancellationToken = default);

    /// <summary>Removes a keyed grain state.</summary>
    Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default);

    /// <summary>Tasks matching the query, newest first.</summary>
    Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default);

    /// <summary>Counts by status and durations of the most recently finished tasks.</summary>
    Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default);

    /// <summary>Ids of pending, running and retrying tasks after <paramref name="after"/>, in id order.</summary>
    Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes terminal tasks that ended before <paramref name="cutoff"/>.</summary>
    Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}

/// <summary>A stored value and its version.</summary>
public sealed record Versioned<T>(T Value, string ETag);

/// <summary>Limits shared by every store.</summary>
public static class TaskStoreLimits
{
    /// <summary>How many recently finished tasks the duration metrics look at.</summary>
    public const int DurationSample = 1_000;

    /// <summary>The largest page.</summary>
    public const int MaxPage = 500;
}
