namespace TaskFlow.Scheduling;

/// <summary>The stored state of a schedule grain.</summary>
[GenerateSerializer, Alias("taskflow.ScheduleState.v1")]
public sealed class ScheduleState
{
    /// <summary>The last occurrence dealt with (fired or passed over); a failover resumes after it, so it never
    /// fires twice.</summary>
    [Id(0)] public DateTimeOffset? LastOccurrence { get; set; }

    /// <summary>The task of the last fire. Stored before the task is created; <see cref="LastTaskCreated"/> says the
    /// creation finished, so a crash in between is completed by the next activation with the same id.</summary>
    [Id(1)] public Guid? LastTaskId { get; set; }

    /// <summary>When the last fire happened.</summary>
    [Id(2)] public DateTimeOffset? LastFiredAt { get; set; }

    /// <summary>The occurrence of the last fire (its tag on the task).</summary>
    [Id(3)] public DateTimeOffset? LastFiredOccurrence { get; set; }

    /// <summary>Whether the task of the last fire is known to exist.</summary>
    [Id(4)] public bool LastTaskCreated { get; set; }

    /// <summary>Paused by a user.</summary>
    [Id(5)] public bool Paused { get; set; }

    /// <summary>Whether run-on-startup has fired for this schedule.</summary>
    [Id(6)] public bool StartupFired { get; set; }

    /// <summary>The definition of a runtime schedule; null for one defined in code.</summary>
    [Id(7)] public ScheduleSpec? Spec { get; set; }
}
