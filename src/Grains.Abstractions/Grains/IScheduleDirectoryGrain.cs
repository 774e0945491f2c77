namespace TaskFlow.Grains;

/// <summary>Remembers which schedules exist: those of code, so one removed from code is retired at the next start, and
/// those defined at runtime, so they are listed and kept awake.</summary>
[Alias("taskflow.IScheduleDirectoryGrain")]
public interface IScheduleDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records the registered schedules; returns those known before that are no longer registered.</summary>
    [Alias("Sync")]
    Task<string[]> Sync(string[] registered);

    /// <summary>The names of the runtime schedules, in order.</summary>
    [Alias("Runtime"), Orleans.Concurrency.ReadOnly]
    Task<string[]> Runtime();

    /// <summary>Adds (true) or removes (false) a runtime schedule's name; stored before it answers; harmless to repeat.</summary>
    [Alias("SetRuntime")]
    Task SetRuntime(string name, bool exists);
}
