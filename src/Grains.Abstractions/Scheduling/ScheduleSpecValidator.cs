using System.Text.Json;
using System.Text.RegularExpressions;
using Cronos;

namespace TaskFlow;

/// <summary>Checks a <see cref="ScheduleSpec"/> and builds its <see cref="ScheduleDefinition"/>; every fault is a
/// <see cref="TaskValidationException"/> naming its field as the HTTP body spells it. Pure: no clock, no Orleans.</summary>
public static partial class ScheduleSpecValidator
{
    /// <summary>The shortest and longest interval of an interval schedule.</summary>
    public static readonly TimeSpan MinEvery = TimeSpan.FromSeconds(1), MaxEvery = TimeSpan.FromDays(366);

    /// <summary>A spec about to be stored: its task must be registered and its args must bind to it.</summary>
    public static ScheduleDefinition Validate(ScheduleSpec spec, TaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(registry);
        if (string.IsNullOrEmpty(spec.Name) || !NamePattern().IsMatch(spec.Name))
            throw new TaskValidationException("name", $"'{spec.Name}' is not a schedule name; use 1–200 letters, digits, '_', '-', '.' or ':'.");
        if (string.IsNullOrEmpty(spec.Task) || !registry.TryGet(spec.Task, out var registration))
        {
            var known = string.Join(", ", registry.All.Select(r => r.Name));
            throw new TaskValidationException("task", $"'{spec.Task}' is not a registered task; registered tasks: {(known.Length == 0 ? "none" : known)}.");
        }
        var definition = Build(spec);
        using (var args = ParseArgs(definition.ArgsJson)) TaskArgsBinder.Bind(registration, args.RootElement);
        return definition;
    }

    /// <summary>A spec read back from storage (checked when it was stored): its timing, not the registry, which may
    /// have changed since.</summary>
    public static ScheduleDefinition Build(ScheduleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        TimeSpan? every = null;
        CronExpression? expression = null;
        switch (spec.EverySeconds, spec.Cron)
        {
            case (null, null):
                throw new TaskValidationException("every", "give 'every' (seconds) or 'cron'.");
            case ({ }, { }):
                throw new TaskValidationException("cron", "give 'every' or 'cron', not both.");
            case ({ } seconds, null):
                if (!double.IsFinite(seconds) || seconds < MinEvery.TotalSeconds || seconds > MaxEvery.TotalSeconds)
                    throw new TaskValidationException("every", $"must be from {MinEvery.TotalSeconds:0} to {MaxEvery.TotalSeconds:0} seconds (was {seconds}).");
                if (spec.TimeZone is not null)
                    throw new TaskValidationException("timeZone", "applies to cron schedules only; intervals are counted in UTC.");
                every = TimeSpan.FromSeconds(seconds);
                break;
            default:
                expression = ParseCron(spec.Cron!) ?? throw new TaskValidationException("cron",
                    $"'{spec.Cron}' is not a cron expression; use five fields ('0 9 * * 1-5') or six with seconds.");
                break;
        }
        var zone = spec.TimeZone is null ? TimeZoneInfo.Utc : FindZone(spec.TimeZone)
            ?? throw new TaskValidationException("timeZone", $"'{spec.TimeZone}' is not a time zone; use an IANA name such as 'America/New_York'.");
        if (!Enum.IsDefined(spec.Misfire)) throw new TaskValidationException("misfire", "must be 'fireOnce' or 'skip'.");
        if (!Enum.IsDefined(spec.Overlap)) throw new TaskValidationException("overlap", "must be 'allow' or 'skip'.");
        var argsJson = string.IsNullOrWhiteSpace(spec.ArgsJson) ? "{}" : spec.ArgsJson;
        using (ParseArgs(argsJson)) { }
        return new ScheduleDefinition(spec.Name, spec.Task, every, spec.Cron, expression, zone, argsJson,
            runOnStartup: false, spec.Misfire, spec.Overlap, runtime: true);
    }

    /// <summary>A cron expression of five fields, or six with seconds; null when it does not parse.</summary>
    public static CronExpression? ParseCron(string cron)
    {
        var fields = (cron ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(cron ?? "", fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException)
        {
            return null;
        }
    }

    /// <summary>The time zone of an IANA (or Windows) id; null when there is none.</summary>
    public static TimeZoneInfo? FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    private static JsonDocument ParseArgs(string argsJson)
    {
        try
        {
            return JsonDocument.Parse(argsJson);
        }
        catch (JsonException)
        {
            throw new TaskValidationException("args", "must be JSON.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,200}$")]
    private static partial Regex NamePattern();
}
