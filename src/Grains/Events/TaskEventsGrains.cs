using System.Collections.Immutable;
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
