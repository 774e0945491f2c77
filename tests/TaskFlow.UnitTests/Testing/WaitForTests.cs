using System.Text.Json;
using TaskFlow.Testing;

namespace TaskFlow.UnitTests.Testing;

/// <summary><c>WaitForAsync</c> returns the record at the status awaited, fails at once on another end, and times out
/// saying what it last saw.</summary>
public sealed class WaitForTests
{
    private static readonly Guid Id = Guid.NewGuid();

    [Fact]
    public async Task The_record_is_returned_once_the_status_is_reached()
    {
        var queue = new ScriptedQueue(TaskRunStatus.Pending, TaskRunStatus.Running, TaskRunStatus.Success);

        var record = await queue.WaitForAsync(Id, TaskRunStatus.Success, TimeSpan.FromSeconds(10));

        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal(3, queue.Reads);
    }

    [Fact]
    public async Task A_task_that_ends_otherwise_fails_the_wait_at_once_with_its_error()
    {
        var queue = new ScriptedQueue(TaskRunStatus.Running, TaskRunStatus.Failed);

        var error = await Assert.ThrowsAsync<TaskStatusException>(() => queue.WaitForAsync(Id, TaskRunStatus.Success, TimeSpan.FromMinutes(5)));

        Assert.Equal(TaskRunStatus.Failed, error.Record!.Status);
        Assert.Contains("ended Failed while Success was awaited", error.Message, StringComparison.Ordinal);
        Assert.Contains("IOException: disk full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_task_fails_the_wait()
    {
        var error = await Assert.ThrowsAsync<TaskStatusException>(() => new ScriptedQueue().WaitForAsync(Id, TaskRunStatus.Success, TimeSpan.FromSeconds(10)));

        Assert.Null(error.Record);
    }

    [Fact]
    public async Task A_wait_that_runs_out_says_what_it_last_saw()
    {
        var queue = new ScriptedQueue(TaskRunStatus.Retrying);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => queue.WaitForAsync(Id, TaskRunStatus.Success, TimeSpan.FromMilliseconds(100)));

        Assert.Contains("last seen Retrying", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers reads with the given statuses in turn, then the last one forever; none at all: no such task.</summary>
    private sealed class ScriptedQueue(params TaskRunStatus[] statuses) : ITaskQueue
    {
        public int Reads { get; private set; }

        public Task<TaskRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken = default)
        {
            if (statuses.Length == 0) return Task.FromResult<TaskRecord?>(null);
            var status = statuses[Math.Min(Reads++, statuses.Length - 1)];
            return Task.FromResult<TaskRecord?>(new TaskRecord
            {
                TaskId = taskId,
                Name = "send_welcome_email",
                Status = status,
                AttemptCount = 1,
                Error = status == TaskRunStatus.Failed ? "disk full" : null,
                ErrorType = status == TaskRunStatus.Failed ? "IOException" : null,
            });
        }

        public Task<Guid> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) where TArgs : notnull =>
            throw new NotSupportedException();

        public Task<Guid> EnqueueAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<EnqueueResult> SubmitAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<CancelResult> CancelAsync(Guid taskId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ReplayResult> ReplayAsync(Guid taskId, bool dryRun = false, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<BatchResult> EnqueueBatchAsync(IReadOnlyList<BatchItem> tasks, BatchItem? then = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Grains.BatchInfo?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
