using System.Diagnostics.CodeAnalysis;

namespace TaskFlow;

/// <summary>Every task registered with <see cref="TaskFlowBuilder"/>, by name and by argument type.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskRegistration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScheduleDefinition> _schedules = new(StringComparer.Ordinal);

    /// <summary>Registered schedules in the order they were added.</summary>
    public IReadOnlyList<ScheduleDefinition> Schedules => [.. _schedules.Values];

    /// <summary>Finds a schedule by name.</summary>
    public bool TryGetSchedule(string name, [NotNullWhen(true)] out ScheduleDefinition? schedule) =>
        _schedules.TryGetValue(name, out schedule);

    /// <summary>Registrations in the order they were added.</summary>
    public IReadOnlyList<TaskRegistration> All => [.. _byName.Values];

    /// <summary>Finds a registration by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out TaskRegistration? registration) =>
        _byName.TryGetValue(name, out registration);

    /// <summary>The single task whose arguments are <paramref name="argsType"/>.</summary>
    /// <exception cref="InvalidOperationException">None or several tasks take that type.</exception>
    public TaskRegistration GetByArgsType(Type argsType)
    {
        var matches = _byName.Values.Where(r => r.ArgsType == argsType).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidOperationException(
                $"No task is registered with arguments of type {argsType.Name}; register one with AddTask<THandler>(name)."),
            _ => throw new InvalidOperationException(
                $"Several tasks take arguments of type {argsType.Name} ({string.Join(", ", matches.Select(m => m.Name))}); enqueue by name."),
        };
    }

    internal void AddSchedule(ScheduleDefinition schedule) => _schedules.Add(schedule.Name, schedule);

    internal void Add(TaskRegistration registration)
    {
        if (!_byName.TryAdd(registration.Name, registration))
            throw new InvalidOperationException($"TaskFlow: the task '{registration.Name}' is registered twice; task names must be unique.");
    }
}
