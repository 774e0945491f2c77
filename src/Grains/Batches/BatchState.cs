using System.Collections.Immutable;

namespace TaskFlow.Batches;

/// <summary>The stored progress of a batch: which members have ended (one bit each, by position) and how, and whether
/// the batch is done. Small whatever the batch's size, so each member's report costs one small write.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.BatchState.v1")]
public sealed record BatchState
{
    /// <summary>True once the batch was stored (its members are in <see cref="BatchMembers"/>).</summary>
    [Id(0)] public bool Opened { get; init; }
    /// <summary>How many members the batch has.</summary>
    [Id(1)] public int Total { get; init; }
    /// <summary>The task released when every member has ended.</summary>
    [Id(2)] public Guid? ThenTaskId { get; init; }
    /// <summary>Bit i set: member i has ended.</summary>
    [Id(3)] public byte[] Ended { get; init; } = [];
    /// <summary>Ended members by the status they ended in.</summary>
    [Id(4)] public ImmutableDictionary<TaskRunStatus, int> Counts { get; init; } = ImmutableDictionary<TaskRunStatus, int>.Empty;
    /// <summary>When the batch was stored.</summary>
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Members that have ended.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int EndedCount => Counts.Values.Sum();

    /// <summary>True once every member has ended.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Done => Opened && EndedCount == Total;
}

/// <summary>The members of a batch, in the order given; written once, before any member is created.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.BatchMembers.v1")]
public sealed record BatchMembers
{
    /// <summary>The members' task ids.</summary>
    [Id(0)] public ImmutableArray<Guid> TaskIds { get; init; } = [];
}
