using Orleans.Concurrency;

namespace TaskFlow.Grains;

/// <summary>One task: its state, its attempts and its retry timer. Keyed by the task id.</summary>
[Alias("taskflow.ITaskGrain")]
public interface ITaskGrain : IGrainWithGuidKey
{
    /// <summary>Creates the task and stores it; returns once stored. Calling it again returns the existing record.</summary>
    [Alias("Create")]
    Task<TaskRecord> Create(TaskSpec spec);

    /// <summary>The task's record, or null when no task has this id. Answers while the handler runs.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<TaskRecord?> Get();

    /// <summary>Cancels a pending or retrying task at once, or signals a running one.</summary>
    [Alias("Cancel")]
    Task<CancelOutcome> Cancel();

    /// <summary>Wakes the task after a restart or a failure elsewhere: a fresh activation recovers it from its stored
    /// state; a pending one makes sure the dispatcher holds its request.</summary>
    [Alias("Nudge")]
    Task Nudge();

    /// <summary>The dispatcher was rebuilt, or this task's lease ran out: report what the task needs (renew a running
    /// slot, request one, or nothing). One-way, like <see cref="Grant"/>.</summary>
    [Alias("Resync"), OneWay]
    Task Resync();

    /// <summary>The dispatcher granted a run slot. One-way, so the dispatcher never waits on a task.</summary>
    [Alias("Grant"), OneWay]
    Task Grant();
}
