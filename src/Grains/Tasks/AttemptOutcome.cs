using System.Collections.Immutable;

namespace TaskFlow.Tasks;

/// <summary>How an attempt ended.</summary>
[GenerateSerializer, Alias("taskflow.AttemptResult")]
public enum AttemptResult
{
    /// <summary>The handler returned.</summary>
    Succeeded,
    /// <summary>The handler threw or ran out of time.</summary>
    Failed,
    /// <summary>The handler stopped after the user cancelled.</summary>
    Cancelled,
    /// <summary>The handler was stopped because its silo was cut off from the cluster.</summary>
    Interrupted,
}

/// <summary>What an attempt reports back to its task grain.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.AttemptOutcome.v1")]
public sealed record AttemptOutcome
{
    /// <summary>How it ended.</summary>
    [Id(0)] public required AttemptResult Result { get; init; }
    /// <summary>When it ended.</summary>
    [Id(1)] public required DateTimeOffset EndedAt { get; init; }
    /// <summary>Failure message.</summary>
    [Id(2)] public string? Error { get; init; }
    /// <summary>Failure exception type.</summary>
    [Id(3)] public string? ErrorType { get; init; }
    /// <summary>Failure stack trace.</summary>
    [Id(4)] public string? StackTrace { get; init; }
    /// <summary>Lines the handler logged during the attempt.</summary>
    [Id(5)] public ImmutableArray<TaskLogEntry> Logs { get; init; } = [];
    /// <summary>Progress last reported.</summary>
    [Id(6)] public double? Progress { get; init; }

    /// <summary>The lifecycle event this outcome amounts to.</summary>
    public TaskEvent ToEvent() => Result switch
    {
        AttemptResult.Succeeded => new TaskEvent.AttemptSucceeded(EndedAt),
        AttemptResult.Cancelled => new TaskEvent.AttemptCancelled(EndedAt),
        AttemptResult.Interrupted => new TaskEvent.Interrupted(EndedAt, Error),
        _ => new TaskEvent.AttemptFailed(EndedAt, Error ?? "The attempt failed.", ErrorType ?? "Exception", StackTrace),
    };
}
