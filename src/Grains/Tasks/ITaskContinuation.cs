namespace TaskFlow.Tasks;

/// <summary>How continuations and their parents find each other: a continuation registers with each parent, and a parent
/// tells its registered continuations when it ends.</summary>
[Alias("taskflow.ITaskContinuation")]
public interface ITaskContinuation : IGrainWithGuidKey
{
    /// <summary>Continuation <paramref name="childId"/> waits for this task: an unfinished task stores it among its
    /// continuations and answers null; a finished one answers its status (which closes the race of a parent ending while
    /// a child registers). A task that does not exist answers <see cref="TaskRunStatus.Cancelled"/>.</summary>
    [Alias("Register")]
    Task<TaskRunStatus?> Register(Guid childId);

    /// <summary>Parent (or batch) <paramref name="parentId"/> ended in <paramref name="status"/>. One-way; repeats change nothing.</summary>
    [Alias("ParentFinished"), Orleans.Concurrency.OneWay]
    Task ParentFinished(Guid parentId, TaskRunStatus status);

    /// <summary>Activates the task, so a fresh activation of an awaiting task registers again with what it waits for.</summary>
    [Alias("Wake")]
    Task Wake();
}
