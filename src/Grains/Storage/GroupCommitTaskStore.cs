using System.Text.Json;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>What both SQL stores share: every write goes through one <see cref="GroupCommitWriter"/>, and a row this
/// version cannot read is reported and skipped. A store adds its dialect: the reads, and an
/// <see cref="IGroupCommitter"/> it starts the writer with once its schema is in place.</summary>
public abstract class GroupCommitTaskStore : ITaskStore, IAsyncDisposable
{
    private protected GroupCommitTaskStore(string storeName, ILogger logger)
    {
        Logger = logger;
        Writer = new GroupCommitWriter(storeName, logger);
    }

    private protected ILogger Logger { get; }

    private protected GroupCommitWriter Writer { get; }

    /// <summary>Transactions committed so far (for the write-cost figures).</summary>
    public long Commits => Writer.Commits;

    /// <summary>Row writes committed so far.</summary>
    public long WritesCommitted => Writer.WritesCommitted;

    /// <inheritdoc />
    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<Versioned<TaskState>?> ReadTaskAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Writer.EnqueueAsync(new PendingWrite.Task(state, TaskStateJson.Serialize(state), expectedETag));
    }

    /// <inheritdoc />
    public abstract Task<Versioned<string>?> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public Task<string> WriteStateAsync(string grainType, string key, string json, string? expectedETag, CancellationToken cancellationToken = default) =>
        Writer.EnqueueAsync(new PendingWrite.State(grainType, key, json, expectedETag));

    /// <inheritdoc />
    public Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default) =>
        Writer.EnqueueAsync(new PendingWrite.State(grainType, key, null, expectedETag));

    /// <inheritdoc />
    public abstract Task<TaskPage> QueryAsync(TaskQuery query, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<TaskMetrics> MetricsAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<Guid>> UnfinishedAsync(Guid? after, int limit, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract Task<int> DeleteFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>Commits what is queued, then stops the writer.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A listed row's record, or null (logged) when this version cannot read it: it never breaks a listing.</summary>
    private protected TaskRecord? TryRead(string json, string id)
    {
        try
        {
            return TaskStateJson.Deserialize(json).Record;
        }
        catch (JsonException ex)
        {
            Log.CorruptRowSkipped(Logger, id, ex);
            return null;
        }
    }
}
