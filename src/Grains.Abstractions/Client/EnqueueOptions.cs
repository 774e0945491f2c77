namespace TaskFlow;

/// <summary>Per-call settings of an enqueue.</summary>
public sealed record EnqueueOptions
{
    /// <summary>Overrides the task's registered priority; higher runs first.</summary>
    public int? Priority { get; init; }

    /// <summary>While a task enqueued with this key is not failed, interrupted or cancelled, enqueuing again with the
    /// same key returns that task instead of creating another. Unique across the cluster.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Free-form labels kept in the record.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Wait this long before the first attempt is due.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>The instant the first attempt is due (not with <see cref="Delay"/>); one in the past runs now, one more
    /// than a year ahead is refused.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Existing tasks (1–100) this one waits for: it stays <c>awaiting</c> until every one of them is terminal.</summary>
    public IReadOnlyList<Guid>? After { get; init; }

    /// <summary>With <see cref="After"/>: run only when all of them succeeded (the default), or once they all finished.</summary>
    public ContinuationPolicy AfterPolicy { get; init; }
}

/// <summary>The answer to <see cref="ITaskQueue.SubmitAsync"/>.</summary>
/// <param name="Record">The task's record right after it was stored.</param>
/// <param name="Created">False when the idempotency key matched a live task and that task was returned.</param>
public sealed record EnqueueResult(TaskRecord Record, bool Created);

/// <summary>The answer to <see cref="ITaskQueue.CancelAsync"/>.</summary>
/// <param name="Found">False when no task has the id.</param>
/// <param name="Accepted">False when the task was already terminal.</param>
/// <param name="Record">The task's record after the request.</param>
/// <param name="Reason">Why it was not accepted.</param>
public sealed record CancelResult(bool Found, bool Accepted, TaskRecord? Record, string? Reason);

/// <summary>The answer to <see cref="ITaskQueue.ReplayAsync"/>.</summary>
/// <param name="OriginalTaskId">The task asked to be replayed.</param>
/// <param name="NewTaskId">The new task; null on a dry run or when refused.</param>
/// <param name="Reason">Why it cannot be replayed (unknown id, wrong status, task no longer registered); null when it can.</param>
/// <param name="Found">False when no task has the id.</param>
public sealed record ReplayResult(Guid OriginalTaskId, Guid? NewTaskId, string? Reason, bool Found)
{
    /// <summary>True when it was (or, on a dry run, would be) replayed.</summary>
    public bool Replayable => Reason is null;
}

/// <summary>One task of a batch: a registered name, JSON arguments, and per-call options (no idempotency key).</summary>
public sealed record BatchItem(string Name, System.Text.Json.JsonElement Args, EnqueueOptions? Options = null);

/// <summary>The answer to <see cref="ITaskQueue.EnqueueBatchAsync"/>.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="TaskIds">Its tasks' ids, in the order given.</param>
/// <param name="ThenTaskId">The task that runs once every task of the batch has ended, if one was given.</param>
public sealed record BatchResult(Guid BatchId, IReadOnlyList<Guid> TaskIds, Guid? ThenTaskId);
