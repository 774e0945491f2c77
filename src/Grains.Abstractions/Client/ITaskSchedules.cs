using TaskFlow.Grains;

namespace TaskFlow;

/// <summary>Schedules of the whole cluster: those defined in code and those created at runtime, which this service
/// creates, replaces and deletes (<c>/tasks/schedules</c> over HTTP).</summary>
public interface ITaskSchedules
{
    /// <summary>Every schedule, those of code first, then runtime ones by name.</summary>
    Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a runtime schedule. <see cref="ScheduleChangeStatus.NameTaken"/> when a schedule has its name.</summary>
    /// <exception cref="TaskValidationException">The spec is not valid; the exception names the field.</exception>
    Task<ScheduleChange> CreateAsync(ScheduleSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Replaces the runtime schedule <paramref name="name"/> (the spec's own name is ignored).</summary>
    /// <exception cref="TaskValidationException">The spec is not valid; the exception names the field.</exception>
    Task<ScheduleChange> ReplaceAsync(string name, ScheduleSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Deletes the runtime schedule <paramref name="name"/>; one defined in code is refused.</summary>
    Task<ScheduleChange> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
