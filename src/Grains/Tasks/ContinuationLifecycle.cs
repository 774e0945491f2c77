using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Tasks;

/// <summary>The continuation half of <see cref="TaskLifecycle"/>: a task that waits (<c>awaiting</c>) for its parents or
/// its batch, and a task that tells its waiting continuations and its batch when it ends. Pure, like the rest of it.</summary>
internal static class ContinuationLifecycle
{
    /// <summary>The error type of a continuation cancelled because a parent did not succeed.</summary>
    public const string ParentNotSucceeded = "ParentNotSucceeded";

    /// <summary>True when the spec makes a continuation (it waits for parents or for a batch).</summary>
    public static bool Waits(TaskSpec spec) => !spec.After.IsDefaultOrEmpty || spec.AfterBatch is not null;

    /// <summary>What an awaiting task still waits for: parents and batch whose end it has not heard of.</summary>
    public static TaskEffect.RegisterWithParents Unresolved(TaskState state)
    {
        var r = state.Record;
        var parents = r.After.Where(p => !state.ParentOutcomes.ContainsKey(p)).Distinct().ToImmutableArray();
        Guid? batch = r.AfterBatch is { } b && !state.ParentOutcomes.ContainsKey(b) ? b : null;
        return new TaskEffect.RegisterWithParents(parents, batch);
    }

    /// <summary>A parent (or the batch) ended: recorded once; when the last one ends the task is released or cancelled.</summary>
    public static TaskTransition OnParentFinished(TaskState state, TaskEvent.ParentFinished e)
    {
        var r = state.Record;
        if (!r.After.Contains(e.ParentId) && r.AfterBatch != e.ParentId)
            return Refuse(state, $"task {e.ParentId} is not one this task waits for");
        // Told twice (a re-sent notice, a registration that crossed a notice), or after the task moved on: nothing to do.
        if (r.Status != TaskRunStatus.Awaiting || state.ParentOutcomes.ContainsKey(e.ParentId) || !e.Status.IsTerminal())
            return new TaskTransition(state, [], Changed: false);

        var outcomes = state.ParentOutcomes.SetItem(e.ParentId, e.Status);
        var next = state with { ParentOutcomes = outcomes };
        var waiting = r.After.Any(p => !outcomes.ContainsKey(p)) || (r.AfterBatch is { } b && !outcomes.ContainsKey(b));
        if (waiting) return new TaskTransition(next, [], Changed: true);

        var failedParent = r.AfterPolicy == ContinuationPolicy.Success
            ? r.After.Cast<Guid?>().FirstOrDefault(p => outcomes[p!.Value] != TaskRunStatus.Success)
            : null;
        if (failedParent is { } parent)
        {
            var status = outcomes[parent].ToString().ToLowerInvariant();
            var cancelled = r with
            {
                Status = TaskRunStatus.Cancelled,
                EndedAt = e.At,
                NextAttemptAt = null,
                Error = $"Parent task {parent} ended {status}; this continuation runs only when every parent succeeds.",
                ErrorType = ParentNotSucceeded,
            };
            return new TaskTransition(next with { Record = cancelled }, [], Changed: true);
        }

        // Released: a delay or run-at given at enqueue still holds when it lies ahead.
        if (r.NextAttemptAt is { } due && due > e.At)
            return new TaskTransition(next with { Record = r with { Status = TaskRunStatus.Pending } }, [new TaskEffect.ScheduleWakeUp(due)], Changed: true);
        var pending = r with { Status = TaskRunStatus.Pending, NextAttemptAt = null };
        return new TaskTransition(next with { Record = pending }, [new TaskEffect.RequestSlot(pending.Priority, e.At)], Changed: true);
    }

    /// <summary>A continuation registered with this unfinished task; a finished one answers its status instead (the grain
    /// does that), so here the event is only recorded.</summary>
    public static TaskTransition OnContinuationAdded(TaskState state, TaskEvent.ContinuationAdded e)
    {
        var r = state.Record;
        if (r.Status.IsTerminal() || r.Continuations.Contains(e.ChildId)) return new TaskTransition(state, [], Changed: false);
        return new TaskTransition(state with { Record = r with { Continuations = r.Continuations.Add(e.ChildId) } }, [], Changed: true);
    }

    /// <summary>Adds the notice of the task's end to a transition that made it terminal, when anyone waits for it.</summary>
    public static TaskTransition WithNotice(TaskState before, TaskTransition transition)
    {
        var after = transition.State;
        if (!transition.Changed || before.Status.IsTerminal() || !after.Status.IsTerminal()) return transition;
        return Notice(after) is { } notice ? transition with { Effects = transition.Effects.Add(notice) } : transition;
    }

    /// <summary>The notice a terminal task sends (again, after a recovery), or null when nobody waits for it.</summary>
    public static TaskEffect.NotifyFinished? Notice(TaskState state)
    {
        var r = state.Record;
        if (!r.Status.IsTerminal() || (r.Continuations.IsEmpty && r.BatchId is null)) return null;
        return new TaskEffect.NotifyFinished(r.Continuations, r.BatchId, r.Status);
    }

    private static TaskTransition Refuse(TaskState state, string reason) => new(state, [], Changed: false, reason);
}
