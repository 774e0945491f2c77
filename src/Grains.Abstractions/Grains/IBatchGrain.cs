using System.Collections.Immutable;

namespace TaskFlow.Grains;

/// <summary>One batch: its members, which of them have ended, and its <c>then</c> task, released once every member
/// has ended. Keyed by the batch id.</summary>
[Alias("taskflow.IBatchGrain")]
public interface IBatchGrain : IGrainWithGuidKey
{
    /// <summary>Stores the batch (before any member is created); a repeat with the same members changes nothing.</summary>
    [Alias("Open")]
    Task Open(ImmutableArray<Guid> members, Guid? thenTaskId);

    /// <summary>Member <paramref name="taskId"/> ended in <paramref name="status"/>; returns once stored. Repeats count once.</summary>
    [Alias("MemberFinished")]
    Task MemberFinished(Guid taskId, TaskRunStatus status);

    /// <summary>The batch's <c>then</c> task waits for the batch: true when every member has already ended (the task is
    /// then told at once), false when it will be told.</summary>
    [Alias("AwaitEnd")]
    Task<bool> AwaitEnd(Guid thenTaskId);

    /// <summary>The batch's progress, or null when no batch has this id.</summary>
    [Alias("Describe"), Orleans.Concurrency.AlwaysInterleave]
    Task<BatchInfo?> Describe();
}

/// <summary>What <c>GET /tasks/batches/{id}</c> answers.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.BatchInfo.v1")]
public sealed record BatchInfo
{
    /// <summary>The batch id.</summary>
    [Id(0)] public required Guid BatchId { get; init; }
    /// <summary>Members.</summary>
    [Id(1)] public required int Total { get; init; }
    /// <summary>Members by current status.</summary>
    [Id(2)] public required ImmutableDictionary<TaskRunStatus, int> Counts { get; init; }
    /// <summary>True once every member has ended.</summary>
    [Id(3)] public required bool Done { get; init; }
    /// <summary>The task that runs once the batch is done, if any.</summary>
    [Id(4)] public Guid? ThenTaskId { get; init; }
    /// <summary>The members' ids, in the order given.</summary>
    [Id(5)] public ImmutableArray<Guid> TaskIds { get; init; } = [];
}
