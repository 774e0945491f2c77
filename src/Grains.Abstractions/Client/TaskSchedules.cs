using TaskFlow.Grains;

namespace TaskFlow;

/// <summary><see cref="ITaskSchedules"/> over the Orleans grain factory. Each schedule is one grain keyed by its name,
/// whose single activation decides whether a name is taken and fires each occurrence once.</summary>
public sealed class TaskSchedules(IGrainFactory grains, TaskRegistry registry) : ITaskSchedules
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var runtime = await grains.GetGrain<IScheduleDirectoryGrain>(0).Runtime().WaitAsync(cancellationToken);
        var names = registry.Schedules.Select(s => s.Name).Concat(runtime.Where(n => !registry.TryGetSchedule(n, out _)));
        var infos = await Task.WhenAll(names.Select(name => grains.GetGrain<IScheduleGrain>(name).Describe())).WaitAsync(cancellationToken);
        return [.. infos.OfType<ScheduleInfo>()];
    }

    /// <inheritdoc />
    public Task<ScheduleChange> CreateAsync(ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        ScheduleSpecValidator.Validate(spec, registry);
        return grains.GetGrain<IScheduleGrain>(spec.Name).Create(spec).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<ScheduleChange> ReplaceAsync(string name, ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec with { Name = name };
        ScheduleSpecValidator.Validate(spec, registry);
        return grains.GetGrain<IScheduleGrain>(name).Replace(spec).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<ScheduleChange> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return grains.GetGrain<IScheduleGrain>(name).Delete().WaitAsync(cancellationToken);
    }
}
