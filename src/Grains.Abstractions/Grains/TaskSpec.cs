using System.Collections.Immutable;

namespace TaskFlow.Grains;

/// <summary>What a task grain is created from: a validated submission.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskSpec.v1")]
public sealed record TaskSpec
{
    /// <summary>The registered task name.</summary>
    [Id(0)] public required string Name { get; init; }
    /// <summary>Arguments as JSON text, already bound once to the task's argument type.</summary>
    [Id(1)] public required string ArgsJson { get; init; }
    /// <summary>Per-call priority; null takes the registration's.</summary>
    [Id(2)] public int? Priority { get; init; }
    /// <summary>The idempotency key, if any.</summary>
    [Id(3)] public string? IdempotencyKey { get; init; }
    /// <summary>Free-form tags.</summary>
    [Id(4)] public ImmutableDictionary<string, string> Tags { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>Seconds to wait before the first attempt is due.</summary>
    [Id(5)] public double DelaySeconds { get; init; }
    /// <summary>What created the task.</summary>
    [Id(6)] public TaskSource Source { get; init; }
    /// <summary>The schedule that fired it.</summary>
    [Id(7)] public string? ScheduleName { get; init; }
    /// <summary>The task it replays.</summary>
    [Id(8)] public Guid? ReplayOf { get; init; }
    /// <summary>The W3C <c>traceparent</c> of the enqueue: the task's attempts are spans in this trace.</summary>
    [Id(9)] public string? TraceParent { get; init; }
    /// <summary>The instant the first attempt is due; wins over <see cref="DelaySeconds"/>. Past instants run now.</summary>
    [Id(10)] public DateTimeOffset? RunAt { get; init; }
    /// <summary>Tasks to wait for before this one may run (a continuation).</summary>
    [Id(11)] public ImmutableArray<Guid> After { get; init; } = [];
    /// <summary>When the continuation runs.</summary>
    [Id(12)] public ContinuationPolicy AfterPolicy { get; init; }
    /// <summary>The batch the task belongs to.</summary>
    [Id(13)] public Guid? BatchId { get; init; }
    /// <summary>The batch whose end the task waits for (a batch's <c>then</c> task).</summary>
    [Id(14)] public Guid? AfterBatch { get; init; }
}

/// <summary>The answer to a submission: the record, and whether this call created it (false when an
/// idempotency key matched a live task).</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SubmitOutcome.v1")]
public sealed record SubmitOutcome([property: Id(0)] TaskRecord Record, [property: Id(1)] bool Created);

/// <summary>The answer to a cancel request.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.CancelOutcome.v1")]
public sealed record CancelOutcome([property: Id(0)] TaskRecord? Record, [property: Id(1)] bool Accepted, [property: Id(2)] string? Reason);
