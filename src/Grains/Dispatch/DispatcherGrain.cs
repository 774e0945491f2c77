using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>The one dispatcher of the cluster (key 0). Its single activation is what makes
/// <c>TaskFlow:MaxConcurrency</c> exact across silos. Grants go out as one-way calls so it never waits on a task.</summary>
[GrainType("taskflow.dispatcher"), KeepAlive]
internal sealed class DispatcherGrain(
    IOptions<TaskFlowOptions> options,
    TaskRegistry registry,
    ILogger<DispatcherGrain> logger) : Grain, IDispatcherGrain
{
    private readonly SlotQueue _queue = new(
        options.Value.MaxConcurrency,
        name => registry.TryGet(name, out var r) ? r.Options.MaxConcurrency : null);

    public Task Request(SlotRequest request)
    {
        _queue.Enqueue(request);
        GrantFreeSlots();
        return Task.CompletedTask;
    }

    public Task Release(Guid taskId)
    {
        if (_queue.Release(taskId)) GrantFreeSlots();
        return Task.CompletedTask;
    }

    public Task Withdraw(Guid taskId)
    {
        _queue.Withdraw(taskId);
        return Task.CompletedTask;
    }

    public Task<DispatchSnapshot> Snapshot() =>
        Task.FromResult(new DispatchSnapshot(_queue.Running, _queue.MaxConcurrency, _queue.QueuedByPriority()));

    private void GrantFreeSlots()
    {
        foreach (var grant in _queue.TakeGrants())
        {
            Log.SlotGranted(logger, grant.TaskId, grant.Name, grant.Priority, _queue.Running);
            // One-way: returns at once; the task grain answers by running or by releasing the slot.
            _ = GrainFactory.GetGrain<ITaskGrain>(grant.TaskId).Grant();
        }
    }
}
