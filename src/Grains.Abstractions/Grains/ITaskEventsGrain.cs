using System.Collections.Immutable;

namespace TaskFlow.Grains;

/// <summary>Carries every status change of the cluster to the API nodes that listen (the SSE stream). Task grains
/// publish to their silo's relay (in-process), which batches to this single hub, which fans out to subscribed observers.</summary>
[Alias("taskflow.ITaskEventsGrain")]
public interface ITaskEventsGrain : IGrainWithIntegerKey
{
    /// <summary>Status changes to fan out. One-way: publishers never wait on listeners.</summary>
    [Alias("Publish"), Orleans.Concurrency.OneWay]
    Task Publish(ImmutableArray<TaskRecord> changes);

    /// <summary>Adds or renews a listener; a listener not renewed for a minute is dropped.</summary>
    [Alias("Subscribe")]
    Task Subscribe(ITaskEventsObserver observer);

    /// <summary>Removes a listener.</summary>
    [Alias("Unsubscribe")]
    Task Unsubscribe(ITaskEventsObserver observer);
}

/// <summary>An API node listening to status changes.</summary>
[Alias("taskflow.ITaskEventsObserver")]
public interface ITaskEventsObserver : IGrainObserver
{
    /// <summary>A batch of status changes, oldest first.</summary>
    [Alias("OnTaskEvents"), Orleans.Concurrency.OneWay]
    Task OnTaskEvents(ImmutableArray<TaskRecord> changes);
}
