using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A store that passes every call to <paramref name="inner"/>; fault tests override the calls they break.</summary>
public abstract class DelegatingTaskStore(ITaskStore inner) : ITaskStore
{
    protected ITaskStore Inner => inner;

    public virtual Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default) => inner.WriteTaskAsync(state, expectedETag, cancellationToken);
    public virtual Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);
    public virtual Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default) => inner.ReadTaskAsync(taskId, cancellationToken);
    public virtual Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default) => inner.ReadStateAsync(grainType, key, cancellationToken);
    public virtual Task<string> WriteStateAsync(string grainType, string key, string json, string? expectedETag, CancellationToken cancellationToken = default) => inner.WriteStateAsync(grainType, key, json, expectedETag, cancellationToken);
    public virtual Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default) => inner.ClearStateAsync(grainType, key, expectedETag, cancellationToken);
    public virtual Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    public virtual Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default) => inner.MetricsAsync(cancellationToken);
    public virtual Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default) => inner.UnfinishedAsync(after, limit, cancellationToken);
    public virtual Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) => inner.DeleteFinishedBeforeAsync(cutoff, cancellationToken);
}
