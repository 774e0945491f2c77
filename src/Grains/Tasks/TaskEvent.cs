namespace TaskFlow.Tasks;

/// <summary>Something that happened to a task; <see cref="TaskLifecycle.Apply"/> turns it into a new state and effects.</summary>
public abstract record TaskEvent(DateTimeOffset At)
{
    /// <summary>The dispatcher granted a run slot; the attempt runs on <paramref name="Host"/> (the silo's "ip:port").</summary>
    public sealed record SlotGranted(DateTimeOffset At, string? Host = null) : TaskEvent(At);

    /// <summary>The handler returned.</summary>
    public sealed record AttemptSucceeded(DateTimeOffset At) : TaskEvent(At);

    /// <summary>The handler threw, or ran past its timeout.</summary>
    public sealed record AttemptFailed(DateTimeOffset At, string Error, string ErrorType, string? StackTrace) : TaskEvent(At);

    /// <summary>The handler stopped after a user cancelled the task.</summary>
    public sealed record AttemptCancelled(DateTimeOffset At) : TaskEvent(At);

    /// <summary>A delayed start or a retry is due.</summary>
    public sealed record WakeUpDue(DateTimeOffset At) : TaskEvent(At);

    /// <summary>A user asked to cancel the task.</summary>
    public sealed record CancelRequested(DateTimeOffset At) : TaskEvent(At);

    /// <summary>A fresh activation loaded the stored state (after a restart, a crash or a move).</summary>
    public sealed record Recovered(DateTimeOffset At, bool RequeuePending) : TaskEvent(At);

    /// <summary>The activation is going away while an attempt runs (host shutting down).</summary>
    public sealed record Interrupted(DateTimeOffset At, string? Reason = null) : TaskEvent(At);

    /// <summary>A task (or the batch) this continuation waits for ended in <paramref name="Status"/>.</summary>
    public sealed record ParentFinished(DateTimeOffset At, Guid ParentId, TaskRunStatus Status) : TaskEvent(At);

    /// <summary>A continuation registered to be told when this task ends.</summary>
    public sealed record ContinuationAdded(DateTimeOffset At, Guid ChildId) : TaskEvent(At);
}
