using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>The silo's go-between for its task grains and the dispatcher (a plain singleton, not a grain, so it is no
/// hot spot of its own): task grains hand it their slot messages in-process, it sends them to the dispatcher in
/// batches (<see cref="SlotOutbox"/>: at once when the silo was quiet; under load a batch lets the silo's queued work
/// run first, so it grows with the load), and it receives the silo's grants as one observer message per round of
/// grants and hands each to its task grain. A batch that cannot be delivered is not sent again (a repeated release
/// could free a slot granted since): the dispatcher's lease expiry, its rebuild and the store sweep repair what it held,
/// as they did for a lost single message.</summary>
internal sealed class DispatchAgent(IGrainFactory grains, TimeProvider time, ILogger<DispatchAgent> logger) : IDispatchAgentObserver
{
    /// <summary>A batch this large goes without waiting for more.</summary>
    private const int FullBatch = 16;

    /// <summary>How many turns of the thread pool a batch waits at most for more messages.</summary>
    private const int MaxTurns = 4;

    private readonly Lock _lock = new();
    private readonly SlotOutbox _outbox = new(DispatchTimings.BatchWindow, FullBatch);
    private bool _sending;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _inFlight;
    private IDispatchAgentObserver? _reference;

    /// <summary>Queues the task for a slot.</summary>
    public void Request(SlotRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Send(new SlotMessage(SlotMessageKind.Request, request.TaskId, request.Name, request.Priority, request.DueAt));
    }

    /// <summary>Gives back the task's slot.</summary>
    public void Release(Guid taskId) => Send(new SlotMessage(SlotMessageKind.Release, taskId));

    /// <summary>Takes the task out of the queue.</summary>
    public void Withdraw(Guid taskId) => Send(new SlotMessage(SlotMessageKind.Withdraw, taskId));

    /// <summary>Extends the running task's lease.</summary>
    public void Renew(Guid taskId, string name) => Send(new SlotMessage(SlotMessageKind.Renew, taskId, name));

    /// <summary>The task answered a resync and needs no slot.</summary>
    public void Resynced(Guid taskId) => Send(new SlotMessage(SlotMessageKind.Resynced, taskId));

    /// <summary>Completes once every message handed over so far has been applied by the dispatcher (or could not be
    /// delivered): for a task that gives its slot back and then moves to another silo, whose request must not overtake
    /// the release.</summary>
    public Task FlushedAsync()
    {
        lock (_lock) return _outbox.Count > 0 ? _next.Task : _inFlight?.Task ?? Task.CompletedTask;
    }

    public Task Granted(ImmutableArray<Guid> taskIds)
    {
        foreach (var id in taskIds) _ = GrantAsync(id);
        return Task.CompletedTask;
    }

    private async Task GrantAsync(Guid taskId)
    {
        try
        {
            // One-way: completes once sent; the task answers by running or by releasing the slot.
            await grains.Reference<ITaskGrain>(taskId).Grant();
        }
        catch (Exception ex)
        {
            Log.GrantNotDelivered(logger, taskId, ex);
        }
    }

    private void Send(SlotMessage message)
    {
        lock (_lock)
        {
            _outbox.Add(message);
            if (_sending) return;
            _sending = true;
        }
        // Off the calling grain's scheduler and without its execution context (trace, request context): the batches
        // belong to the silo, not to the task that happened to start the loop.
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(SendLoopAsync);
    }

    private bool ShouldWait()
    {
        lock (_lock) return _outbox.ShouldWait(time.GetUtcNow());
    }

    /// <summary>One loop at a time sends the batches, each after the previous one was taken, so the dispatcher applies a
    /// silo's messages in the order they were sent; it ends when nothing is left to send.</summary>
    private async Task SendLoopAsync()
    {
        while (true)
        {
            // Under load, the silo's queued work runs first (a turn of the thread pool each, no timer: a timer would add
            // a millisecond or more to every freed slot), so the messages it is about to produce join this batch.
            for (var turn = 0; turn < MaxTurns && ShouldWait(); turn++) await Task.Yield();

            ImmutableArray<SlotMessage> batch;
            TaskCompletionSource done;
            lock (_lock)
            {
                if (_outbox.Count == 0)
                {
                    _sending = false;
                    return;
                }
                batch = _outbox.Take(time.GetUtcNow());
                _inFlight = done = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            try
            {
                // Created here, outside any grain (Orleans refuses to create a local object reference from a grain).
                _reference ??= grains.CreateObjectReference<IDispatchAgentObserver>(this);
                await grains.Reference<IDispatcherGrain>(0).Apply(new SlotBatch(_reference, batch));
            }
            catch (Exception ex)
            {
                Log.DispatcherUnreachable(logger, batch.Length, ex);
            }
            lock (_lock)
            {
                if (ReferenceEquals(_inFlight, done)) _inFlight = null;
            }
            done.TrySetResult();
        }
    }
}
