using Orleans.Concurrency;

using System.Collections.Immutable;

namespace TaskFlow.Grains;

/// <summary>Grants run slots: higher priority first, first come first served among equals, never more running than
/// the global and per-task limits. A single activation holds the cluster-wide count; the silos' dispatch agents talk to
/// it in batches (<see cref="SlotBatch"/>) and it answers each silo with one message per round of grants.</summary>
[Alias("taskflow.IDispatcherGrain")]
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Applies a silo's slot messages in the order its tasks sent them, then grants what is free; grants go back
    /// to the agents the requests came from.</summary>
    [Alias("Apply")]
    Task Apply(SlotBatch batch);

    /// <summary>Queue lengths and slots in use.</summary>
    [Alias("Snapshot"), AlwaysInterleave]
    Task<DispatchSnapshot> Snapshot();
}

/// <summary>A silo's dispatch agent: receives the slots granted to the silo's tasks, one message per round of grants.</summary>
[Alias("taskflow.IDispatchAgentObserver")]
public interface IDispatchAgentObserver : IGrainObserver
{
    /// <summary>These tasks were granted a slot; the agent hands each its grant.</summary>
    [Alias("Granted"), OneWay]
    Task Granted(ImmutableArray<Guid> taskIds);
}

/// <summary>What a task tells the dispatcher.</summary>
[GenerateSerializer, Alias("taskflow.SlotMessageKind")]
public enum SlotMessageKind
{
    /// <summary>Queue the task for a slot (queuing it twice is harmless).</summary>
    Request,

    /// <summary>The task gives back the slot it held.</summary>
    Release,

    /// <summary>The task no longer waits (it was cancelled while waiting).</summary>
    Withdraw,

    /// <summary>The running task is alive: extend its slot's lease (or count it again after the dispatcher moved).</summary>
    Renew,

    /// <summary>The task answered a resync and needs no slot (finished, or waiting on a timer).</summary>
    Resynced,
}

/// <summary>One message of a task to the dispatcher; <see cref="Name"/>, <see cref="Priority"/> and <see cref="DueAt"/>
/// matter for a request (and the name for a renewal).</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SlotMessage.v1")]
public sealed record SlotMessage(
    [property: Id(0)] SlotMessageKind Kind,
    [property: Id(1)] Guid TaskId,
    [property: Id(2)] string Name = "",
    [property: Id(3)] int Priority = 0,
    [property: Id(4)] DateTimeOffset DueAt = default)
{
    /// <summary>The request this message makes (meaningful for <see cref="SlotMessageKind.Request"/>).</summary>
    public SlotRequest AsRequest() => new(TaskId, Name, Priority, DueAt);
}

/// <summary>The slot messages a silo's tasks sent since the agent's last batch, in order, and where to send grants.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SlotBatch.v1")]
public sealed record SlotBatch(
    [property: Id(0)] IDispatchAgentObserver Agent,
    [property: Id(1)] ImmutableArray<SlotMessage> Messages);

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
