using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskFlow.Endpoints;

/// <summary>Lowercase string form of TaskFlow's enums on the wire.</summary>
public sealed class LowercaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;

/// <summary>The task record as API.md shows it. <c>args</c>, <c>attempts</c> and <c>logs</c> appear only on
/// <c>GET /tasks/{id}</c>.</summary>
public sealed record TaskResponse
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }
    /// <summary>The registered task name.</summary>
    public required string Name { get; init; }
    /// <summary>awaiting, pending, running, retrying, success, failed, interrupted or cancelled.</summary>
    [JsonConverter(typeof(LowercaseEnumConverter<TaskRunStatus>))]
    public required TaskRunStatus Status { get; init; }
    /// <summary>Higher runs first.</summary>
    public int Priority { get; init; }
    /// <summary>api, scheduled or replay.</summary>
    [JsonConverter(typeof(LowercaseEnumConverter<TaskSource>))]
    public TaskSource Source { get; init; }
    /// <summary>The schedule that fired it.</summary>
    public string? ScheduleName { get; init; }
    /// <summary>The task it replays.</summary>
    public Guid? ReplayOf { get; init; }
    /// <summary>When it was accepted (UTC).</summary>
    public DateTime CreatedAt { get; init; }
    /// <summary>When its first attempt started (UTC).</summary>
    public DateTime? StartedAt { get; init; }
    /// <summary>When it ended (UTC).</summary>
    public DateTime? EndedAt { get; init; }
    /// <summary>Seconds from first start to final end.</summary>
    public double? Duration { get; init; }
    /// <summary>Attempts made − 1.</summary>
    public int RetriesUsed { get; init; }
    /// <summary>Retries its options allow.</summary>
    public int MaxRetries { get; init; }
    /// <summary>When the next attempt is due (UTC).</summary>
    public DateTime? NextAttemptAt { get; init; }
    /// <summary>The last failure's message.</summary>
    public string? Error { get; init; }
    /// <summary>The last failure's exception type.</summary>
    public string? ErrorType { get; init; }
    /// <summary>The idempotency key.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>Free-form tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>Progress last reported by the handler (0–1).</summary>
    public double? Progress { get; init; }
    /// <summary>The W3C trace id of the enqueue (or of the schedule's fire); every attempt is a span in that trace.</summary>
    public string? TraceId { get; init; }
    /// <summary>The tasks this continuation waits for, in the order given (empty for other tasks).</summary>
    public IReadOnlyList<Guid> After { get; init; } = [];
    /// <summary>success or finished: when the continuation runs.</summary>
    [JsonConverter(typeof(LowercaseEnumConverter<ContinuationPolicy>))]
    public ContinuationPolicy AfterPolicy { get; init; }
    /// <summary>The continuations that registered to wait for this task.</summary>
    public IReadOnlyList<Guid> Continuations { get; init; } = [];
    /// <summary>The batch this task is a member of.</summary>
    public Guid? BatchId { get; init; }
    /// <summary>The batch whose end this task (its <c>then</c> task) waits for.</summary>
    public Guid? AfterBatch { get; init; }
    /// <summary>The arguments.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Args { get; init; }
    /// <summary>Every attempt, oldest first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AttemptResponse>? Attempts { get; init; }
    /// <summary>Lines logged through the task's logger.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LogResponse>? Logs { get; init; }

    /// <summary>Maps a record; <paramref name="detail"/> adds args, attempts and logs.</summary>
    public static TaskResponse From(TaskRecord record, bool detail)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new TaskResponse
        {
            TaskId = record.TaskId,
            Name = record.Name,
            Status = record.Status,
            Priority = record.Priority,
            Source = record.Source,
            ScheduleName = record.ScheduleName,
            ReplayOf = record.ReplayOf,
            CreatedAt = record.CreatedAt.UtcDateTime,
            StartedAt = record.StartedAt?.UtcDateTime,
            EndedAt = record.EndedAt?.UtcDateTime,
            Duration = record.DurationSeconds,
            RetriesUsed = record.RetriesUsed,
            MaxRetries = record.MaxRetries,
            NextAttemptAt = record.NextAttemptAt?.UtcDateTime,
            Error = record.Error,
            ErrorType = record.ErrorType,
            IdempotencyKey = record.IdempotencyKey,
            Tags = record.Tags,
            Progress = record.Progress,
            TraceId = TaskFlowTelemetry.TraceIdOf(record.TraceParent),
            After = record.After,
            AfterPolicy = record.AfterPolicy,
            Continuations = record.Continuations,
            BatchId = record.BatchId,
            AfterBatch = record.AfterBatch,
            Args = detail ? ParseArgs(record.ArgsJson) : null,
            Attempts = detail ? [.. record.Attempts.Select(AttemptResponse.From)] : null,
            Logs = detail ? [.. record.Logs.Select(l => new LogResponse(l.At.UtcDateTime, l.Level, l.Message, l.Attempt))] : null,
        };
    }

    private static JsonElement ParseArgs(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>One attempt; <c>host</c> is the silo that ran it, as "ip:port".</summary>
public sealed record AttemptResponse(
    int Attempt, DateTime StartedAt, DateTime? EndedAt, double? Duration, string? Error, string? ErrorType, string? StackTrace, string? Host)
{
    internal static AttemptResponse From(AttemptRecord a) =>
        new(a.Attempt, a.StartedAt.UtcDateTime, a.EndedAt?.UtcDateTime, a.DurationSeconds, a.Error, a.ErrorType, a.StackTrace, a.Host);
}

/// <summary>One log line.</summary>
public sealed record LogResponse(
    DateTime At,
    [property: JsonConverter(typeof(LowercaseEnumConverter<TaskLogLevel>))] TaskLogLevel Level,
    string Message,
    int Attempt);

/// <summary>The body of <c>POST /tasks</c>: only <c>name</c> is required; numbers are JSON numbers, never strings. (The
/// endpoint reads the body field by field, so every fault names its field; this type describes it in OpenAPI.)</summary>
public sealed class EnqueueTaskRequest
{
    /// <summary>A registered task name.</summary>
    public required string Name { get; init; }

    /// <summary>Arguments binding to the task's argument type; an empty object when omitted.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Overrides the task's registered priority; higher runs first.</summary>
    [JsonNumberHandling(JsonNumberHandling.Strict)]
    public int? Priority { get; init; }

    /// <summary>Returns the live task enqueued earlier with this key instead of a new one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Free-form string labels.</summary>
    public Dictionary<string, string>? Tags { get; init; }

    /// <summary>Seconds before the first attempt is due (0 or more).</summary>
    [JsonNumberHandling(JsonNumberHandling.Strict)]
    public double? DelaySeconds { get; init; }

    /// <summary>The instant the first attempt is due, with its offset (not with delaySeconds; at most a year ahead).</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Existing tasks (1–100) to wait for: the task stays awaiting until every one of them has ended.</summary>
    public IReadOnlyList<Guid>? After { get; init; }

    /// <summary>success (the default: run only if every parent succeeded) or finished (run whatever they ended in).</summary>
    [JsonConverter(typeof(LowercaseEnumConverter<ContinuationPolicy>))]
    public ContinuationPolicy? AfterPolicy { get; init; }
}

/// <summary>A registered task and its options, as <c>GET /tasks/registry</c> lists it.</summary>
public sealed record RegistryEntry(
    string Name, int Retries, double DelaySeconds, double Backoff, double? MaxDelaySeconds, int Priority,
    int? MaxConcurrency, double? TimeoutSeconds, bool RequeueOnInterrupt, RateLimitEntry? RateLimit)
{
    internal static RegistryEntry From(TaskRegistration r) => new(
        r.Name, r.Options.Retries, r.Options.DelaySeconds, r.Options.Backoff, r.Options.MaxDelaySeconds, r.Options.Priority,
        r.Options.MaxConcurrency, r.Options.TimeoutSeconds, r.Options.RequeueOnInterrupt,
        r.Options.RateLimit is { } rate ? new RateLimitEntry(rate.Starts, rate.PeriodSeconds) : null);
}

/// <summary>At most <paramref name="Starts"/> starts per <paramref name="PeriodSeconds"/>, cluster-wide.</summary>
public sealed record RateLimitEntry(int Starts, double PeriodSeconds);
