namespace TaskFlow.Tasks;

/// <summary>The stored state of one task grain: its public record plus what only the runtime needs.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskState.v1")]
public sealed record TaskState
{
    /// <summary>The record users read.</summary>
    [Id(0)] public required TaskRecord Record { get; init; }

    /// <summary>The options the task was accepted under.</summary>
    [Id(1)] public required TaskOptions Options { get; init; }

    /// <summary>How often a dying process interrupted this task; bounds re-runs of a task that kills its host.</summary>
    [Id(2)] public int Interruptions { get; init; }

    /// <summary>A continuation's parents (and its batch) known to be terminal, with the status each ended in.</summary>
    [Id(3)] public System.Collections.Immutable.ImmutableDictionary<Guid, TaskRunStatus> ParentOutcomes { get; init; } =
        System.Collections.Immutable.ImmutableDictionary<Guid, TaskRunStatus>.Empty;

    /// <summary>Convenience: the task's status.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TaskRunStatus Status => Record.Status;
}
