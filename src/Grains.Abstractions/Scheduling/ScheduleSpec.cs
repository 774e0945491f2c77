namespace TaskFlow;

/// <summary>A schedule defined at runtime (<c>POST /tasks/schedules</c>, <see cref="ITaskSchedules"/>): which task it
/// fires with which arguments, and when. Stored as-is in the schedule grain's state; <see cref="ScheduleSpecValidator"/>
/// turns it into a <see cref="ScheduleDefinition"/>.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.ScheduleSpec.v1")]
public sealed record ScheduleSpec
{
    /// <summary>The schedule's name, unique among code and runtime schedules.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The registered task it fires; any number of schedules may fire the same task.</summary>
    [Id(1)] public required string Task { get; init; }

    /// <summary>Arguments of every fired task, as JSON; an empty object when null.</summary>
    [Id(2)] public string? ArgsJson { get; init; }

    /// <summary>Interval in seconds (1 s to 366 days); exactly one of this and <see cref="Cron"/>.</summary>
    [Id(3)] public double? EverySeconds { get; init; }

    /// <summary>Cron expression, five fields or six with seconds.</summary>
    [Id(4)] public string? Cron { get; init; }

    /// <summary>IANA time zone of a cron schedule; UTC when null.</summary>
    [Id(5)] public string? TimeZone { get; init; }

    /// <summary>Missed occurrences: fire once (default) or skip.</summary>
    [Id(6)] public MisfirePolicy Misfire { get; init; }

    /// <summary>Occurrences while the previous run is unfinished: allow (default) or skip.</summary>
    [Id(7)] public OverlapPolicy Overlap { get; init; }
}
