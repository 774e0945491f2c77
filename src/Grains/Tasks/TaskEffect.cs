namespace TaskFlow.Tasks;

/// <summary>What the grain must do after storing a new state. Effects run in order, after the state is stored.</summary>
public abstract record TaskEffect
{
    /// <summary>Ask the dispatcher for a run slot.</summary>
    public sealed record RequestSlot(int Priority, DateTimeOffset DueAt) : TaskEffect;

    /// <summary>Give the slot back.</summary>
    public sealed record ReleaseSlot : TaskEffect;

    /// <summary>Leave the dispatcher's queue.</summary>
    public sealed record WithdrawRequest : TaskEffect;

    /// <summary>Run attempt <paramref name="Attempt"/> of the handler.</summary>
    public sealed record StartAttempt(int Attempt, TimeSpan? Timeout) : TaskEffect;

    /// <summary>Wake up at <paramref name="At"/> (delayed start or retry).</summary>
    public sealed record ScheduleWakeUp(DateTimeOffset At) : TaskEffect;

    /// <summary>Drop a pending wake-up.</summary>
    public sealed record CancelWakeUp : TaskEffect;

    /// <summary>Signal the running handler's cancellation token.</summary>
    public sealed record SignalCancellation : TaskEffect;

    /// <summary>Register with each of <paramref name="Parents"/> (and with <paramref name="Batch"/>) as waiting for its
    /// end; each answers its status if it has already ended.</summary>
    public sealed record RegisterWithParents(System.Collections.Immutable.ImmutableArray<Guid> Parents, Guid? Batch) : TaskEffect;

    /// <summary>Tell the waiting continuations (and the task's batch) that the task ended in <paramref name="Status"/>.</summary>
    public sealed record NotifyFinished(System.Collections.Immutable.ImmutableArray<Guid> Continuations, Guid? Batch, TaskRunStatus Status) : TaskEffect;
}
