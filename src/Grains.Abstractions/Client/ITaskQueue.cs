using System.Text.Json;

namespace TaskFlow;

/// <summary>Enqueues tasks and reads their records. Inject it anywhere, minimal-API handlers included.
/// Every enqueue returns only after the task is stored.</summary>
public interface ITaskQueue
{
    /// <summary>Enqueues the task registered for the type of <paramref name="args"/>; returns its id.</summary>
    /// <exception cref="TaskValidationException">Bad options.</exception>
    /// <exception cref="InvalidOperationException">No single task takes <typeparamref name="TArgs"/>.</exception>
    Task<Guid> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull;

    /// <summary>Enqueues the task registered as <paramref name="name"/> with JSON arguments; returns its id.</summary>
    /// <exception cref="TaskValidationException">Unknown name, args that do not bind, or bad options.</exception>
    Task<Guid> EnqueueAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="EnqueueAsync(string, JsonElement, EnqueueOptions?, CancellationToken)"/>, returning the
    /// stored record and whether it was created or matched by its idempotency key.</summary>
    Task<EnqueueResult> SubmitAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a batch of 1–10,000 tasks and, when given, a <paramref name="then"/> task that runs once every
    /// task of the batch has ended (whatever they ended in). Every item is checked first: one bad item and nothing is
    /// enqueued (the fault names <c>tasks[i].field</c> or <c>then.field</c>).</summary>
    /// <exception cref="TaskValidationException">A bad item, or no items or too many.</exception>
    Task<BatchResult> EnqueueBatchAsync(IReadOnlyList<BatchItem> tasks, BatchItem? then = null, CancellationToken cancellationToken = default);

    /// <summary>A batch's progress, or null when no batch has that id.</summary>
    Task<Grains.BatchInfo?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken = default);

    /// <summary>The task's record, or null when no task has that id.</summary>
    Task<TaskRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a pending or retrying task at once; signals a running task's cancellation token.</summary>
    Task<CancelResult> CancelAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Replays a failed, interrupted or cancelled task as a new task with the same name, args and tags
    /// (<c>source: replay</c>, <c>replayOf</c> the original). With <paramref name="dryRun"/> nothing is created and the
    /// answer says whether a real run would.</summary>
    Task<ReplayResult> ReplayAsync(Guid taskId, bool dryRun = false, CancellationToken cancellationToken = default);
}
