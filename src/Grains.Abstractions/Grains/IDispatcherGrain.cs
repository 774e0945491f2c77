using Orleans.Concurrency;

using System.Collections.Immutable;

namespace TaskFlow.Grains;

/// <summary>Grants run slots: higher priority first, first come first served among equals, never more running than
/// the global and per-task limits. A single activation holds the cluster-wide count.</summary>
[Alias("taskflow.IDispatcherGrain")]
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Queues a due task for a slot; queuing it twice is harmless.</summary>
    [Alias("Request")]
    Task Request(SlotRequest request);

    /// <summary>Gives back the slot a task held.</summary>
    [Alias("Release")]
    Task Release(Guid taskId);

    /// <summary>Removes a task from the queue (it was cancelled while waiting).</summary>
    [Alias("Withdraw")]
    Task Withdraw(Guid taskId);

    /// <summary>A running task is alive: extend its slot's lease (or count it again after the dispatcher moved).</summary>
    [Alias("Renew")]
    Task Renew(Guid taskId, string name);

    /// <summary>A task answered a resync and needs no slot (finished, or waiting on a timer).</summary>
    [Alias("Resynced")]
    Task Resynced(Guid taskId);

    /// <summary>Queue lengths and slots in use.</summary>
    [Alias("Snapshot"), AlwaysInterleave]
    Task<DispatchSnapshot> Snapshot();
}

/// <summary>A task asking for a slot.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SlotRequest.v1")]
public sealed record SlotRequest(
    [property: Id(0)] Guid TaskId,
    [property: Id(1)] string Name,
    [property: Id(2)] int Priority,
    [property: Id(3)] DateTimeOffset DueAt);

/// <summary>What the dispatcher holds right now.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.DispatchSnapshot.v1")]
public sealed record DispatchSnapshot(
    [property: Id(0)] int Running,
    [property: Id(1)] int MaxConcurrency,
    [property: Id(2)] ImmutableDictionary<int, int> QueuedByPriority,
    [property: Id(3)] string Host);
