using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.Dispatch;

/// <summary>The one dispatcher of the cluster (key 0). Its single activation is what makes
/// <c>TaskFlow:MaxConcurrency</c> exact across silos. It hears from each silo's <see cref="DispatchAgent"/> in batches
/// and answers each with one one-way message per round of grants, so it never waits on a task and handles a fraction
/// of a message per task under load.
/// Its queue lives in memory and is rebuilt from the stored task states whenever it activates (after a move or a
/// crash): every unfinished task is asked to resync, and no new slot is granted until the running ones have
/// reported (or <see cref="DispatchTimings.RebuildWait"/> passed).</summary>
[GrainType("taskflow.dispatcher"), KeepAlive]
internal sealed class DispatcherGrain(
    IOptions<TaskFlowOptions> options,
    TaskRegistry registry,
    ITaskStore store,
    TimeProvider time,
    Telemetry.TaskFlowMetrics metrics,
    ILogger<DispatcherGrain> logger) : Grain, IDispatcherGrain
{
    private readonly SlotQueue _queue = new(
        options.Value.MaxConcurrency,
        name => registry.TryGet(name, out var r) ? r.Options : null,
        DispatchTimings.Lease);

    private readonly GrantRoutes<IDispatchAgentObserver> _routes = new();
    private readonly HashSet<Guid> _awaitingResync = [];
    private DateTimeOffset _rebuildDeadline;
    private IGrainTimer? _tick;
    private IGrainTimer? _rateWakeUp;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The rebuild calls every unfinished task, and tasks call the dispatcher: leave the first synchronous stretch of
        // the activation (run under its lock) before calling anyone (see TaskGrain.OnActivateAsync).
        await Task.Yield();
        _tick = this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions
        {
            DueTime = DispatchTimings.Tick, Period = DispatchTimings.Tick, Interleave = false, KeepAlive = true,
        });

        _rebuildDeadline = time.GetUtcNow() + DispatchTimings.RebuildWait;
        Guid? after = null;
        while (true)
        {
            var ids = await store.UnfinishedAsync(after, 1_000, cancellationToken);
            if (ids.Count == 0) break;
            foreach (var id in ids)
            {
                _awaitingResync.Add(id);
                _ = GrainFactory.Reference<ITaskGrain>(id).Resync();
            }
            after = ids[^1];
        }
        if (_awaitingResync.Count > 0) Log.DispatcherRebuilding(logger, _awaitingResync.Count);
    }

    public Task Apply(SlotBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = time.GetUtcNow();
        foreach (var message in batch.Messages)
        {
            _awaitingResync.Remove(message.TaskId);
            _queue.Apply(message, now);
            // A waiting task's grant goes to the silo its latest request came from; a task not waiting has no route.
            if (!_queue.IsWaiting(message.TaskId)) _routes.Forget(message.TaskId);
            else if (message.Kind == SlotMessageKind.Request) _routes.Remember(message.TaskId, batch.Agent);
        }
        GrantFreeSlots();
        return Task.CompletedTask;
    }

    public Task<DispatchSnapshot> Snapshot() =>
        Task.FromResult(new DispatchSnapshot(_queue.Running, _queue.MaxConcurrency, _queue.QueuedByPriority(), RuntimeIdentity));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.WithdrawDispatch(this);
        return Task.CompletedTask;
    }

    private Task OnTickAsync()
    {
        metrics.PublishDispatch(new Telemetry.DispatchGauges(this, _queue.QueuedByPriorityAndName(), _queue.RunningByName()));
        foreach (var expired in _queue.ExpireLeases(time.GetUtcNow()))
        {
            // The task's silo died or it stopped renewing: its slot is free again, and the task is asked to recover
            // (a fresh activation marks it interrupted or queues it again, per its options).
            Log.LeaseExpired(logger, expired);
            _ = GrainFactory.Reference<ITaskGrain>(expired).Resync();
        }
        GrantFreeSlots();
        return Task.CompletedTask;
    }

    private void GrantFreeSlots()
    {
        var now = time.GetUtcNow();
        if (_awaitingResync.Count > 0)
        {
            if (now < _rebuildDeadline) return;
            _awaitingResync.Clear();
        }

        var grants = _queue.TakeGrants(now);
        if (grants.Count > 0)
        {
            foreach (var grant in grants) Log.SlotGranted(logger, grant.TaskId, grant.Name, grant.Priority, _queue.Running);
            // One-way, one message per silo: its agent hands each grant to its task, which answers by running or by
            // releasing the slot. A grant lost with its silo comes back when its lease runs out.
            var byAgent = _routes.Take(grants, out var unrouted);
            foreach (var (agent, ids) in byAgent) _ = agent.Granted([.. ids]);
            foreach (var id in unrouted) _ = GrainFactory.Reference<ITaskGrain>(id).Grant();
        }

        // A rate-limited task may start before the next tick: wake up exactly then.
        if (_rateWakeUp is null && _queue.NextRateLimitOpening(now) is { } opens && opens - now < DispatchTimings.Tick)
        {
            _rateWakeUp = this.RegisterGrainTimer(() =>
            {
                _rateWakeUp?.Dispose();
                _rateWakeUp = null;
                GrantFreeSlots();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions { DueTime = opens - now, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
        }
    }
}
