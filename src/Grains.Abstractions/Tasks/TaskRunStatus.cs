namespace TaskFlow;

/// <summary>Where a task is in its life. <see cref="Success"/>, <see cref="Failed"/>, <see cref="Interrupted"/> and
/// <see cref="Cancelled"/> are terminal.</summary>
/// <remarks>Named so it does not clash with <see cref="System.Threading.Tasks.TaskStatus"/>.</remarks>
[GenerateSerializer, Alias("taskflow.TaskRunStatus")]
public enum TaskRunStatus
{
    /// <summary>Accepted and stored, waiting for its due time or a run slot.</summary>
    Pending = 0,
    /// <summary>An attempt is running.</summary>
    Running = 1,
    /// <summary>An attempt failed; the next one is due at <see cref="TaskRecord.NextAttemptAt"/>.</summary>
    Retrying = 2,
    /// <summary>An attempt succeeded.</summary>
    Success = 3,
    /// <summary>Every attempt allowed failed.</summary>
    Failed = 4,
    /// <summary>The process running it died or shut down and it was not re-queued.</summary>
    Interrupted = 5,
    /// <summary>Cancelled by a user before or while running.</summary>
    Cancelled = 6,
    /// <summary>Waits for the tasks listed in <see cref="TaskRecord.After"/> (or for its batch, <see
    /// cref="TaskRecord.AfterBatch"/>) to finish; then becomes pending, or cancelled when its policy says so.</summary>
    Awaiting = 7,
}

/// <summary>When a continuation runs, once every task it waits for is terminal.</summary>
[GenerateSerializer, Alias("taskflow.ContinuationPolicy")]
public enum ContinuationPolicy
{
    /// <summary>Only when every parent succeeded; otherwise the continuation ends cancelled.</summary>
    Success = 0,
    /// <summary>Whatever the parents' outcomes.</summary>
    Finished = 1,
}

/// <summary>Helpers on <see cref="TaskRunStatus"/>.</summary>
public static class TaskRunStatusExtensions
{
    /// <summary>True for the statuses a task never leaves.</summary>
    public static bool IsTerminal(this TaskRunStatus status) =>
        status is TaskRunStatus.Success or TaskRunStatus.Failed or TaskRunStatus.Interrupted or TaskRunStatus.Cancelled;

    /// <summary>True for the statuses from which a task may be replayed as a new task.</summary>
    public static bool IsReplayable(this TaskRunStatus status) =>
        status is TaskRunStatus.Failed or TaskRunStatus.Interrupted or TaskRunStatus.Cancelled;
}
