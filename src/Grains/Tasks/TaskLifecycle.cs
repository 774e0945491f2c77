using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Tasks;

/// <summary>The result of applying an event: the new state, what to do next, and why the event was refused if it was.</summary>
public sealed record TaskTransition(TaskState State, ImmutableArray<TaskEffect> Effects, bool Changed, string? Refusal = null)
{
    /// <summary>True when the event did not fit the task's status.</summary>
    public bool Refused => Refusal is not null;
}

/// <summary>A task's life as one pure state machine: state + event → new state + effects. No Orleans, no clock, no I/O;
/// the task grain stores the state and performs the effects.</summary>
public static class TaskLifecycle
{
    /// <summary>Interruptions after which a task registered to re-run is marked interrupted instead: a task that kills
    /// its host every time must not take the cluster down forever.</summary>
    public const int MaxInterruptions = 5;

    /// <summary>Log lines kept in a task's stored record.</summary>
    public const int MaxStoredLogLines = 1_000;

    private const int MaxErrorLength = 4_000;
    private const int MaxStackTraceLength = 16_000;

    /// <summary>A new task from a submission, and the effect that starts it.</summary>
    public static TaskTransition Create(Guid taskId, TaskSpec spec, TaskOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        DateTimeOffset? dueAt = spec.RunAt ?? (spec.DelaySeconds > 0 ? now.AddSeconds(spec.DelaySeconds) : null);
        var delayed = dueAt > now;
        var waits = ContinuationLifecycle.Waits(spec);
        var record = new TaskRecord
        {
            TaskId = taskId,
            Name = spec.Name,
            Status = waits ? TaskRunStatus.Awaiting : TaskRunStatus.Pending,
            Priority = spec.Priority ?? options.Priority,
            Source = spec.Source,
            ScheduleName = spec.ScheduleName,
            ReplayOf = spec.ReplayOf,
            CreatedAt = now,
            MaxRetries = options.Retries,
            NextAttemptAt = delayed ? dueAt : null,
            IdempotencyKey = spec.IdempotencyKey,
            Tags = spec.Tags,
            TraceParent = spec.TraceParent,
            ArgsJson = spec.ArgsJson,
            After = spec.After.IsDefault ? [] : spec.After,
            AfterPolicy = spec.AfterPolicy,
            BatchId = spec.BatchId,
            AfterBatch = spec.AfterBatch,
        };
        var state = new TaskState { Record = record, Options = options };
        TaskEffect start = waits
            ? ContinuationLifecycle.Unresolved(state)
            : delayed
            ? new TaskEffect.ScheduleWakeUp(record.NextAttemptAt!.Value)
            : new TaskEffect.RequestSlot(record.Priority, now);
        return new TaskTransition(state, [start], Changed: true);
    }

    /// <summary>Applies <paramref name="evt"/> to <paramref name="state"/>.</summary>
    public static TaskTransition Apply(TaskState state, TaskEvent evt)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        var transition = evt switch
        {
            TaskEvent.SlotGranted e => OnSlotGranted(state, e),
            TaskEvent.AttemptSucceeded e => OnAttemptSucceeded(state, e),
            TaskEvent.AttemptFailed e => OnAttemptFailed(state, e),
            TaskEvent.AttemptCancelled e => OnAttemptCancelled(state, e),
            TaskEvent.WakeUpDue e => OnWakeUpDue(state, e),
            TaskEvent.CancelRequested e => OnCancelRequested(state, e),
            TaskEvent.Recovered e => OnRecovered(state, e),
            TaskEvent.Interrupted e => OnInterrupted(state, e),
            TaskEvent.ParentFinished e => ContinuationLifecycle.OnParentFinished(state, e),
            TaskEvent.ContinuationAdded e => ContinuationLifecycle.OnContinuationAdded(state, e),
            _ => throw new ArgumentOutOfRangeException(nameof(evt), evt, "Unknown task event."),
        };
        // Whatever made the task terminal, its waiting continuations and its batch are told, after the store.
        return ContinuationLifecycle.WithNotice(state, transition);
    }

    private static TaskTransition OnSlotGranted(TaskState state, TaskEvent.SlotGranted e)
    {
        var r = state.Record;
        // A grant can race a cancel or arrive twice; the slot goes straight back.
        if (r.Status != TaskRunStatus.Pending || r.NextAttemptAt is not null)
            return Refuse(state, $"a slot was granted while the task was {Describe(r)}", new TaskEffect.ReleaseSlot());

        var attempt = r.AttemptCount + 1;
        var record = r with
        {
            Status = TaskRunStatus.Running,
            StartedAt = r.StartedAt ?? e.At,
            AttemptCount = attempt,
            Attempts = r.Attempts.Add(new AttemptRecord { Attempt = attempt, StartedAt = e.At, Host = e.Host }),
            Progress = null,
        };
        TimeSpan? timeout = state.Options.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null;
        return Changed(state with { Record = record }, new TaskEffect.StartAttempt(attempt, timeout));
    }

    private static TaskTransition OnAttemptSucceeded(TaskState state, TaskEvent.AttemptSucceeded e)
    {
        if (state.Status != TaskRunStatus.Running) return Refuse(state, $"an attempt ended while the task was {Describe(state.Record)}");
        var record = EndAttempt(state.Record, e.At, null, null, null) with
        {
            Status = TaskRunStatus.Success,
            EndedAt = e.At,
            CancelRequested = false,
            // Earlier failures stay in the attempts; a task that succeeded has no error.
            Error = null,
            ErrorType = null,
        };
        return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot());
    }

    private static TaskTransition OnAttemptFailed(TaskState state, TaskEvent.AttemptFailed e)
    {
        if (state.Status != TaskRunStatus.Running) return Refuse(state, $"an attempt ended while the task was {Describe(state.Record)}");
        var error = Truncate(e.Error, MaxErrorLength);
        var record = EndAttempt(state.Record, e.At, error, e.ErrorType, Truncate(e.StackTrace, MaxStackTraceLength)) with
        {
            Error = error,
            ErrorType = e.ErrorType,
        };

        if (record.CancelRequested)
        {
            // The user cancelled and the handler then threw: the user's intent wins over the retry policy.
            record = record with { Status = TaskRunStatus.Cancelled, EndedAt = e.At };
            return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot());
        }

        if (!RetryPolicy.MayRetry(record.AttemptCount, state.Options))
        {
            record = record with { Status = TaskRunStatus.Failed, EndedAt = e.At };
            return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot());
        }

        var wait = RetryPolicy.DelayBefore(record.AttemptCount, state.Options);
        if (wait <= TimeSpan.Zero)
        {
            record = record with { Status = TaskRunStatus.Pending, NextAttemptAt = null };
            return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot(), new TaskEffect.RequestSlot(record.Priority, e.At));
        }

        var due = e.At + wait;
        record = record with { Status = TaskRunStatus.Retrying, NextAttemptAt = due };
        return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot(), new TaskEffect.ScheduleWakeUp(due));
    }

    private static TaskTransition OnAttemptCancelled(TaskState state, TaskEvent.AttemptCancelled e)
    {
        if (state.Status != TaskRunStatus.Running) return Refuse(state, $"an attempt ended while the task was {Describe(state.Record)}");
        var record = EndAttempt(state.Record, e.At, "Cancelled by a user.", nameof(OperationCanceledException), null) with
        {
            Status = TaskRunStatus.Cancelled,
            EndedAt = e.At,
        };
        return Changed(state with { Record = record }, new TaskEffect.ReleaseSlot());
    }

    private static TaskTransition OnWakeUpDue(TaskState state, TaskEvent.WakeUpDue e)
    {
        var r = state.Record;
        if (r.Status is not (TaskRunStatus.Pending or TaskRunStatus.Retrying) || r.NextAttemptAt is null)
            return Refuse(state, $"a wake-up fired while the task was {Describe(r)}");
        // Timers may fire a little early (their wheel ticks apart from the wall clock): not due yet is armed again.
        if (e.At < r.NextAttemptAt) return new TaskTransition(state, [new TaskEffect.ScheduleWakeUp(r.NextAttemptAt.Value)], Changed: false);
        var record = r with { Status = TaskRunStatus.Pending, NextAttemptAt = null };
        return Changed(state with { Record = record }, new TaskEffect.RequestSlot(record.Priority, e.At));
    }

    private static TaskTransition OnCancelRequested(TaskState state, TaskEvent.CancelRequested e)
    {
        var r = state.Record;
        switch (r.Status)
        {
            case TaskRunStatus.Pending or TaskRunStatus.Retrying:
                var waitingOnTimer = r.NextAttemptAt is not null;
                var record = r with { Status = TaskRunStatus.Cancelled, EndedAt = e.At, NextAttemptAt = null };
                return Changed(state with { Record = record },
                    waitingOnTimer ? new TaskEffect.CancelWakeUp() : new TaskEffect.WithdrawRequest());
            case TaskRunStatus.Awaiting:
                // Its parents still hold it in their lists; their later notices find it cancelled and change nothing.
                return Changed(state with { Record = r with { Status = TaskRunStatus.Cancelled, EndedAt = e.At, NextAttemptAt = null } });
            case TaskRunStatus.Running when r.CancelRequested:
                return new TaskTransition(state, [], Changed: false);
            case TaskRunStatus.Running:
                return Changed(state with { Record = r with { CancelRequested = true } }, new TaskEffect.SignalCancellation());
            default:
                return Refuse(state, $"the task is already {Describe(r)}");
        }
    }

    private static TaskTransition OnRecovered(TaskState state, TaskEvent.Recovered e)
    {
        var r = state.Record;
        switch (r.Status)
        {
            case TaskRunStatus.Running:
                return InterruptRunning(state, e.At, requeueAllowed: e.RequeuePending);
            case TaskRunStatus.Awaiting:
                // Registers again with what it still waits for: each answers its status if it ended meanwhile.
                return new TaskTransition(state, [ContinuationLifecycle.Unresolved(state)], Changed: false);
            case TaskRunStatus.Pending or TaskRunStatus.Retrying when !e.RequeuePending:
                var dropped = r with { Status = TaskRunStatus.Interrupted, EndedAt = e.At, NextAttemptAt = null, Error = "The host restarted and pending tasks are not re-queued (TaskFlow:RequeuePending is false).", ErrorType = "Interrupted" };
                return Changed(state with { Record = dropped });
            case TaskRunStatus.Pending or TaskRunStatus.Retrying when r.NextAttemptAt is { } due:
                return new TaskTransition(state, [new TaskEffect.ScheduleWakeUp(due)], Changed: false);
            case TaskRunStatus.Pending:
                return new TaskTransition(state, [new TaskEffect.RequestSlot(r.Priority, r.CreatedAt)], Changed: false);
            default:
                // A finished task sends its notice again: one lost with a dying silo is not lost for good.
                return new TaskTransition(state, ContinuationLifecycle.Notice(state) is { } notice ? [notice] : [], Changed: false);
        }
    }

    private static TaskTransition OnInterrupted(TaskState state, TaskEvent.Interrupted e) =>
        state.Status == TaskRunStatus.Running
            ? InterruptRunning(state, e.At, requeueAllowed: true, e.Reason)
            : new TaskTransition(state, [], Changed: false);

    private static TaskTransition InterruptRunning(TaskState state, DateTimeOffset at, bool requeueAllowed, string? reason = null)
    {
        var message = reason ?? "The process running this attempt stopped before it finished.";
        var interruptions = state.Interruptions + 1;
        var record = EndAttempt(state.Record, at, message, "Interrupted", null);
        if (record.CancelRequested)
        {
            record = record with { Status = TaskRunStatus.Cancelled, EndedAt = at };
            return Changed(state with { Record = record, Interruptions = interruptions }, new TaskEffect.ReleaseSlot());
        }

        if (requeueAllowed && state.Options.RequeueOnInterrupt && interruptions <= MaxInterruptions)
        {
            record = record with { Status = TaskRunStatus.Pending, NextAttemptAt = null };
            return Changed(state with { Record = record, Interruptions = interruptions },
                new TaskEffect.ReleaseSlot(), new TaskEffect.RequestSlot(record.Priority, at));
        }

        record = record with { Status = TaskRunStatus.Interrupted, EndedAt = at, Error = message, ErrorType = "Interrupted" };
        return Changed(state with { Record = record, Interruptions = interruptions }, new TaskEffect.ReleaseSlot());
    }

    /// <summary>Keeps the newest <see cref="MaxStoredLogLines"/> lines of a task across its attempts.</summary>
    public static ImmutableArray<TaskLogEntry> AppendLogs(ImmutableArray<TaskLogEntry> existing, ImmutableArray<TaskLogEntry> added)
    {
        if (added.IsDefaultOrEmpty) return existing;
        var all = existing.AddRange(added);
        return all.Length <= MaxStoredLogLines ? all : all.RemoveRange(0, all.Length - MaxStoredLogLines);
    }

    private static TaskRecord EndAttempt(TaskRecord r, DateTimeOffset at, string? error, string? errorType, string? stackTrace)
    {
        if (r.Attempts.IsEmpty) return r;
        var last = r.Attempts[^1];
        var ended = last with { EndedAt = at, Error = error, ErrorType = errorType, StackTrace = stackTrace };
        return r with { Attempts = r.Attempts.SetItem(r.Attempts.Length - 1, ended) };
    }

    private static TaskTransition Changed(TaskState state, params TaskEffect[] effects) =>
        new(state, [.. effects], Changed: true);

    private static TaskTransition Refuse(TaskState state, string reason, params TaskEffect[] effects) =>
        new(state, [.. effects], Changed: false, reason);

    private static string Describe(TaskRecord r) =>
        r.Status == TaskRunStatus.Pending && r.NextAttemptAt is not null ? "pending (delayed)" : r.Status.ToString().ToLowerInvariant();

    private static string? Truncate(string? text, int max) =>
        text is null || text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
