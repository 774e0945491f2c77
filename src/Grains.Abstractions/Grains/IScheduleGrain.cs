using Orleans.Concurrency;

namespace TaskFlow.Grains;

/// <summary>One schedule, keyed by its name. Its single activation is what makes each occurrence fire once across
/// the cluster; the occurrence it fired last is stored before the task is created.</summary>
[Alias("taskflow.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Activates the schedule and arms its timer; harmless to call often.</summary>
    [Alias("Ensure")]
    Task Ensure();

    /// <summary>The schedule as <c>GET /tasks/schedules</c> shows it; null for an unknown name.</summary>
    [Alias("Describe"), AlwaysInterleave]
    Task<ScheduleInfo?> Describe();

    /// <summary>Stops firing until resumed; persisted.</summary>
    [Alias("Pause")]
    Task<ScheduleInfo?> Pause();

    /// <summary>Fires again from the next occurrence; occurrences missed while paused are not caught up.</summary>
    [Alias("Resume")]
    Task<ScheduleInfo?> Resume();

    /// <summary>Fires the task now, outside the timetable; returns its id, or null for an unknown name.</summary>
    [Alias("Trigger")]
    Task<Guid?> Trigger();

    /// <summary>The schedule was removed from code: drop its reminder and state.</summary>
    [Alias("Retire")]
    Task Retire();

    /// <summary>Defines this (unused) name as a runtime schedule, stored before it answers; taken when the name is a
    /// code schedule or a runtime one already. The spec must have passed <see cref="ScheduleSpecValidator.Validate"/>.</summary>
    [Alias("Create")]
    Task<ScheduleChange> Create(ScheduleSpec spec);

    /// <summary>Replaces this runtime schedule's definition; the new timetable starts from now.</summary>
    [Alias("Replace")]
    Task<ScheduleChange> Replace(ScheduleSpec spec);

    /// <summary>Removes this runtime schedule: its state and its reminder.</summary>
    [Alias("Delete")]
    Task<ScheduleChange> Delete();
}

/// <summary>How a change to a runtime schedule ended.</summary>
[GenerateSerializer, Alias("taskflow.ScheduleChangeStatus")]
public enum ScheduleChangeStatus
{
    /// <summary>Done.</summary>
    Done = 0,
    /// <summary>No schedule has the name.</summary>
    NotFound = 1,
    /// <summary>Create: the name is taken.</summary>
    NameTaken = 2,
    /// <summary>Replace or delete: the schedule is defined in code (pause it instead).</summary>
    DefinedInCode = 3,
}

/// <summary>The answer to a change of a runtime schedule: its status, and the schedule after it (none after a delete).</summary>
[GenerateSerializer, Immutable, Alias("taskflow.ScheduleChange.v1")]
public sealed record ScheduleChange([property: Id(0)] ScheduleChangeStatus Status, [property: Id(1)] ScheduleInfo? Schedule);

/// <summary>A schedule's timing and its last run.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.ScheduleInfo.v1")]
public sealed record ScheduleInfo
{
    /// <summary>The schedule's name.</summary>
    [Id(0)] public required string Name { get; init; }
    /// <summary>Interval in seconds, for interval schedules.</summary>
    [Id(1)] public double? EverySeconds { get; init; }
    /// <summary>Cron text, for cron schedules.</summary>
    [Id(2)] public string? Cron { get; init; }
    /// <summary>IANA time zone id.</summary>
    [Id(3)] public required string TimeZone { get; init; }
    /// <summary>When it fires next; null while paused.</summary>
    [Id(4)] public DateTimeOffset? NextRunAt { get; init; }
    /// <summary>When it last fired.</summary>
    [Id(5)] public DateTimeOffset? LastRunAt { get; init; }
    /// <summary>The task it last fired.</summary>
    [Id(6)] public Guid? LastTaskId { get; init; }
    /// <summary>That task's status.</summary>
    [Id(7)] public TaskRunStatus? LastStatus { get; init; }
    /// <summary>True while paused.</summary>
    [Id(8)] public bool Paused { get; init; }
    /// <summary>The silo its activation lives on.</summary>
    [Id(9)] public string? Host { get; init; }
    /// <summary>The task it fires.</summary>
    [Id(10)] public string Task { get; init; } = "";
    /// <summary>The arguments of every task it fires, as JSON.</summary>
    [Id(11)] public string ArgsJson { get; init; } = "{}";
    /// <summary>Defined at runtime (stored) rather than in code.</summary>
    [Id(12)] public bool Runtime { get; init; }
    /// <summary>Missed occurrences: fire once or skip.</summary>
    [Id(13)] public MisfirePolicy Misfire { get; init; }
    /// <summary>Occurrences while the previous run is unfinished: allow or skip.</summary>
    [Id(14)] public OverlapPolicy Overlap { get; init; }
}
