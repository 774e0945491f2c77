using System.Collections.Immutable;

namespace TaskFlow;

/// <summary>Everything known about one task: what API.md calls the task record.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskRecord.v1")]
public sealed record TaskRecord
{
    /// <summary>The task's id.</summary>
    [Id(0)] public required Guid TaskId { get; init; }
    /// <summary>The registered task name.</summary>
    [Id(1)] public required string Name { get; init; }
    /// <summary>Current status.</summary>
    [Id(2)] public required TaskRunStatus Status { get; init; }
    /// <summary>Higher runs first.</summary>
    [Id(3)] public int Priority { get; init; }
    /// <summary>What created the task.</summary>
    [Id(4)] public TaskSource Source { get; init; }
    /// <summary>The schedule that fired it, if any.</summary>
    [Id(5)] public string? ScheduleName { get; init; }
    /// <summary>The task this one replays, if any.</summary>
    [Id(6)] public Guid? ReplayOf { get; init; }
    /// <summary>When it was accepted.</summary>
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When its first attempt started.</summary>
    [Id(8)] public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it reached a terminal status.</summary>
    [Id(9)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Attempts made so far.</summary>
    [Id(10)] public int AttemptCount { get; init; }
    /// <summary>Retries its options allow.</summary>
    [Id(11)] public int MaxRetries { get; init; }
    /// <summary>When the next attempt is due (retrying, or pending with a delay).</summary>
    [Id(12)] public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>The last failure's message.</summary>
    [Id(13)] public string? Error { get; init; }
    /// <summary>The last failure's exception type.</summary>
    [Id(14)] public string? ErrorType { get; init; }
    /// <summary>The idempotency key it was enqueued with.</summary>
    [Id(15)] public string? IdempotencyKey { get; init; }
    /// <summary>Free-form tags given at enqueue.</summary>
    [Id(16)] public ImmutableDictionary<string, string> Tags { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>The arguments as JSON text.</summary>
    [Id(17)] public string ArgsJson { get; init; } = "{}";
    /// <summary>Every attempt, oldest first.</summary>
    [Id(18)] public ImmutableArray<AttemptRecord> Attempts { get; init; } = [];
    /// <summary>Lines written through the task's logger, oldest first.</summary>
    [Id(19)] public ImmutableArray<TaskLogEntry> Logs { get; init; } = [];
    /// <summary>Progress the handler last reported (0–1), if any.</summary>
    [Id(20)] public double? Progress { get; init; }
    /// <summary>True when a user asked to cancel it while it was running.</summary>
    [Id(21)] public bool CancelRequested { get; init; }
    /// <summary>The W3C <c>traceparent</c> of the enqueue (or of the schedule's fire): every attempt's span joins
    /// this trace, on whichever silo and after any restart.</summary>
    [Id(22)] public string? TraceParent { get; init; }
    /// <summary>The tasks this one waits for (a continuation), in the order given.</summary>
    [Id(23)] public ImmutableArray<Guid> After { get; init; } = [];
    /// <summary>When a continuation runs: after its parents all succeeded, or after they all finished.</summary>
    [Id(24)] public ContinuationPolicy AfterPolicy { get; init; }
    /// <summary>The continuations waiting for this task (registered by them while it was unfinished).</summary>
    [Id(25)] public ImmutableArray<Guid> Continuations { get; init; } = [];
    /// <summary>The batch this task is a member of.</summary>
    [Id(26)] public Guid? BatchId { get; init; }
    /// <summary>The batch whose end this task (the batch's <c>then</c> task) waits for.</summary>
    [Id(27)] public Guid? AfterBatch { get; init; }

    /// <summary>Attempts made − 1, never negative.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int RetriesUsed => Math.Max(0, AttemptCount - 1);

    /// <summary>Seconds from first start to final end, once both are known.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? DurationSeconds => StartedAt is { } s && EndedAt is { } e ? (e - s).TotalSeconds : null;
}

/// <summary>One attempt at running a task.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.AttemptRecord.v1")]
public sealed record AttemptRecord
{
    /// <summary>1 for the first attempt.</summary>
    [Id(0)] public required int Attempt { get; init; }
    /// <summary>When it started.</summary>
    [Id(1)] public required DateTimeOffset StartedAt { get; init; }
    /// <summary>When it ended.</summary>
    [Id(2)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>The failure's message, if it failed.</summary>
    [Id(3)] public string? Error { get; init; }
    /// <summary>The failure's exception type, if it failed.</summary>
    [Id(4)] public string? ErrorType { get; init; }
    /// <summary>The failure's stack trace, if it failed.</summary>
    [Id(5)] public string? StackTrace { get; init; }
    /// <summary>The silo that ran it, as "ip:port" (its advertised address and silo port).</summary>
    [Id(6)] public string? Host { get; init; }

    /// <summary>Seconds the attempt ran, once it ended.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? DurationSeconds => EndedAt is { } e ? (e - StartedAt).TotalSeconds : null;
}

/// <summary>Severity of a task log line.</summary>
[GenerateSerializer, Alias("taskflow.TaskLogLevel")]
public enum TaskLogLevel
{
    /// <summary>Diagnostic detail.</summary>
    Debug = 0,
    /// <summary>Normal progress.</summary>
    Info = 1,
    /// <summary>Something unexpected that did not stop the task.</summary>
    Warning = 2,
    /// <summary>A failure.</summary>
    Error = 3,
}

/// <summary>A line written through <see cref="TaskContext.Logger"/>.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskLogEntry.v1")]
public sealed record TaskLogEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] TaskLogLevel Level,
    [property: Id(2)] string Message,
    [property: Id(3)] int Attempt);
