using System.Collections.Immutable;
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
/// silo's task grains and sends them to the hub every <see cref="FlushPeriod"/>, one message per batch.</summary>
[GrainType("taskflow.events-relay"), StatelessWorker(1)]
internal sealed class TaskEventsRelay : Grain, ITaskEventsRelay
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(200);
    private readonly List<TaskRecord> _pending = [];
    private IGrainTimer? _flush;

    public Task Changed(TaskRecord record)
    {
        _pending.Add(record);
        _flush ??= this.RegisterGrainTimer(() =>
        {
            _flush?.Dispose();
            _flush = null;
            var batch = _pending.ToImmutableArray();
            _pending.Clear();
            return GrainFactory.GetGrain<ITaskEventsGrain>(0).Publish(batch);
        }, new GrainTimerCreationOptions { DueTime = FlushPeriod, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
        return Task.CompletedTask;
    }
}
