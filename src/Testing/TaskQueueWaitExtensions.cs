namespace TaskFlow.Testing;

/// <summary><c>await queue.WaitForAsync(taskId, TaskRunStatus.Success, TimeSpan.FromSeconds(10))</c>: waits until a
/// task reaches a status.</summary>
public static class TaskQueueWaitExtensions
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads the task until its status is <paramref name="status"/> and returns that record.</summary>
    /// <exception cref="TaskStatusException">The task ended in another status (it never leaves a terminal one), or no
    /// task has that id.</exception>
    /// <exception cref="TimeoutException">The task had not reached the status within <paramref name="timeout"/>.</exception>
    public static async Task<TaskRecord> WaitForAsync(this ITaskQueue queue, Guid taskId, TaskRunStatus status, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var poll = FirstPoll;
        TaskRecord? last = null;
        try
        {
            while (true)
            {
                last = await queue.GetAsync(taskId, deadline.Token)
                    ?? throw new TaskStatusException(taskId, status, null, $"No task has the id {taskId}.");
                if (last.Status == status) return last;
                if (last.Status.IsTerminal())
                    throw new TaskStatusException(taskId, status, last,
                        $"Task {taskId} ({last.Name}) ended {last.Status} while {status} was awaited{Describe(last)}.");
                await Task.Delay(poll, deadline.Token);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Task {taskId} did not reach {status} within {timeout}; last seen {last?.Status.ToString() ?? "nothing"}{(last is null ? "" : Describe(last))}.");
        }
    }

    private static string Describe(TaskRecord record) =>
        $" after {record.AttemptCount} attempt(s)" + (record.Error is { } error ? $": {record.ErrorType}: {error}" : "");
}

/// <summary>A task ended in a status other than the one awaited.</summary>
public sealed class TaskStatusException(Guid taskId, TaskRunStatus expected, TaskRecord? record, string message) : Exception(message)
{
    /// <summary>The task awaited.</summary>
    public Guid TaskId { get; } = taskId;

    /// <summary>The status awaited.</summary>
    public TaskRunStatus Expected { get; } = expected;

    /// <summary>The task's record as last read; null when no task has the id.</summary>
    public TaskRecord? Record { get; } = record;
}
