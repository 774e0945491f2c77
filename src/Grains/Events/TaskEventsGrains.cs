using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TaskFlow.Grains;

namespace TaskFlow.Events;

/// <summary>The hub (key 0): fans batches out to the subscribed API nodes.</summary>
[GrainType("taskflow.events"), KeepAlive]
internal sealed class TaskEventsGrain(TimeProvider time) : Grain, ITaskEventsGrain
{
    private static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);
    private readonly Dictionary<ITaskEventsObserver, DateTimeOffset> _observers = [];

    public Task Publish(ImmutableArray<TaskRecord> changes)
    {
        var now = time.GetUtcNow();
        foreach (var (observer, renewed) in _observers.ToList())
        {
            if (now - renewed > SubscriptionLifetime) _observers.Remove(observer);
            else _ = observer.OnTaskEvents(changes);
        }
        return Task.CompletedTask;
    }

    public Task Subscribe(ITaskEventsObserver observer)
    {
        _observers[observer] = time.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task Unsubscribe(ITaskEventsObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }
}

/// <summary>One relay per silo (a stateless worker with one activation per silo): collects the status changes of the
/// silo's task grains and sends them to the hub every <see cref="FlushPeriod"/>, one message per batch. A batch the hub
/// did not take (it is moving, or a silo just died) is sent again, ahead of newer changes, so none is lost or reordered;
/// at most <see cref="MaxPending"/> changes wait (the oldest go first).</summary>
[GrainType("taskflow.events-relay"), StatelessWorker(1)]
internal sealed class TaskEventsRelay(ILogger<TaskEventsRelay> logger) : Grain, ITaskEventsRelay
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);
    public const int MaxPending = 10_000;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private readonly List<TaskRecord> _pending = [];
    private IGrainTimer? _flush;
    private bool _deactivating;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The silo is going away (or the relay is idle): a last try, no re-sending into a stopping cluster.
        _deactivating = true;
        _flush?.Dispose();
        _flush = null;
        return FlushAsync();
    }

    public Task Changed(TaskRecord record)
    {
        _pending.Add(record);
        if (_pending.Count > MaxPending) _pending.RemoveRange(0, _pending.Count - MaxPending);
        Arm(FlushPeriod);
        return Task.CompletedTask;
    }

    private void Arm(TimeSpan due) =>
        _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });

    private async Task FlushAsync()
    {
        _flush?.Dispose();
        _flush = null;
        if (_pending.Count == 0) return;
        var batch = _pending.ToImmutableArray();
        _pending.Clear();
        try
        {
            await GrainFactory.GetGrain<ITaskEventsGrain>(0).Publish(batch).WaitAsync(PublishTimeout);
        }
        catch (Exception ex)
        {
            Log.EventsNotPublished(logger, batch.Length, ex);
            if (_deactivating) return;
            _pending.InsertRange(0, batch);
            if (_pending.Count > MaxPending) _pending.RemoveRange(0, _pending.Count - MaxPending);
            Arm(RetryPeriod);
        }
    }
}
