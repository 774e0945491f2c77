using Cronos;

namespace TaskFlow;

/// <summary>What happens to occurrences missed while the cluster was down.</summary>
[GenerateSerializer, Alias("taskflow.MisfirePolicy")]
public enum MisfirePolicy
{
    /// <summary>Fire once for all missed occurrences (the latest of them), then keep to the timetable.</summary>
    FireOnce = 0,
    /// <summary>Drop missed occurrences; only the next on-time occurrence fires.</summary>
    Skip = 1,
}

/// <summary>What happens to an occurrence while the schedule's previous task is still unfinished.</summary>
[GenerateSerializer, Alias("taskflow.OverlapPolicy")]
public enum OverlapPolicy
{
    /// <summary>Fire anyway; runs may overlap.</summary>
    Allow = 0,
    /// <summary>Skip the occurrence.</summary>
    Skip = 1,
}

/// <summary>A schedule: which task fires, when, and how. Defined in code (<see cref="TaskFlowBuilder.AddSchedule{THandler}(string, TimeSpan, Action{ScheduleOptionsBuilder}?)"/>,
/// firing the task of its own name) or at runtime (<see cref="ScheduleSpec"/>, naming its task).</summary>
public sealed class ScheduleDefinition
{
    internal ScheduleDefinition(string name, string task, TimeSpan? every, string? cron, CronExpression? expression, TimeZoneInfo timeZone,
        string argsJson, bool runOnStartup, MisfirePolicy misfire, OverlapPolicy overlap, bool runtime)
    {
        Name = name;
        Task = task;
        IsRuntime = runtime;
        Every = every;
        Cron = cron;
        Expression = expression;
        TimeZone = timeZone;
        ArgsJson = argsJson;
        RunOnStartup = runOnStartup;
        Misfire = misfire;
        Overlap = overlap;
    }

    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <summary>The registered task it fires (a code schedule's own name).</summary>
    public string Task { get; }

    /// <summary>Defined at runtime (stored) rather than in code.</summary>
    public bool IsRuntime { get; }

    /// <summary>The interval of an interval schedule.</summary>
    public TimeSpan? Every { get; }

    /// <summary>The cron text of a cron schedule.</summary>
    public string? Cron { get; }

    /// <summary>The parsed cron expression.</summary>
    public CronExpression? Expression { get; }

    /// <summary>The time zone cron occurrences are computed in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Arguments of every fired task, as JSON.</summary>
    public string ArgsJson { get; }

    /// <summary>Fire once when the schedule first starts, besides the timetable.</summary>
    public bool RunOnStartup { get; }

    /// <summary>Missed occurrences: fire once or skip.</summary>
    public MisfirePolicy Misfire { get; }

    /// <summary>Occurrences while the previous run is unfinished: allow or skip.</summary>
    public OverlapPolicy Overlap { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>. Interval occurrences are aligned to
    /// multiples of the interval since the Unix epoch, so every silo computes the same instants.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        if (Every is { } every)
        {
            var ticks = after.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            var next = (ticks / every.Ticks + 1) * every.Ticks;
            return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + next, TimeSpan.Zero);
        }
        return Expression!.GetNextOccurrence(after, TimeZone)?.ToUniversalTime();
    }
}

/// <summary>Settings of a schedule beyond its timing.</summary>
public sealed class ScheduleOptionsBuilder
{
    internal Action<TaskOptionsBuilder>? TaskOptions { get; private set; }
    internal object? ArgsValue { get; private set; }
    internal bool RunOnStartupValue { get; private set; }
    internal MisfirePolicy MisfireValue { get; private set; } = MisfirePolicy.FireOnce;
    internal OverlapPolicy OverlapValue { get; private set; } = OverlapPolicy.Allow;

    /// <summary>Options of the fired task (retries, timeout…).</summary>
    public ScheduleOptionsBuilder Task(Action<TaskOptionsBuilder> configure)
    {
        TaskOptions = configure;
        return this;
    }

    /// <summary>Arguments every fired task receives (serialized as JSON); none by default.</summary>
    public ScheduleOptionsBuilder Args(object args)
    {
        ArgsValue = args;
        return this;
    }

    /// <summary>Also fire once as soon as the schedule starts.</summary>
    public ScheduleOptionsBuilder RunOnStartup(bool run = true)
    {
        RunOnStartupValue = run;
        return this;
    }

    /// <summary>What happens to occurrences missed while the cluster was down (default: fire once).</summary>
    public ScheduleOptionsBuilder Misfire(MisfirePolicy policy)
    {
        MisfireValue = policy;
        return this;
    }

    /// <summary>What happens to an occurrence while the previous run is unfinished (default: allow).</summary>
    public ScheduleOptionsBuilder Overlap(OverlapPolicy policy)
    {
        OverlapValue = policy;
        return this;
    }
}
