using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.Storage;

namespace TaskFlow.Scheduling;

/// <summary>On every silo: once active, retires schedules removed from code, then keeps every registered schedule
/// grain awake (every <see cref="Period"/>), so a schedule whose silo died is back within seconds rather than at its
/// next reminder.</summary>
internal sealed class ScheduleKeeper(TaskRegistry registry, IGrainFactory grains, TimeProvider time, ILogger<ScheduleKeeper> logger)
    : ActiveSiloLoop
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var names = registry.Schedules.Select(s => s.Name).ToArray();
        try
        {
            foreach (var removed in await grains.GetGrain<IScheduleDirectoryGrain>(0).Sync(names))
            {
                Log.ScheduleRetired(logger, removed);
                await grains.GetGrain<IScheduleGrain>(removed).Retire();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ScheduleWakeFailed(logger, "(directory)", ex);
        }

        while (!stopping.IsCancellationRequested)
        {
            // All at once and each bounded: a schedule whose silo just died (its calls wait until the death is
            // declared) must not hold up the others.
            await Task.WhenAll(names.Select(name => EnsureAsync(name, stopping)));
            try
            {
                await Task.Delay(Period, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EnsureAsync(string name, CancellationToken stopping)
    {
        try
        {
            await grains.GetGrain<IScheduleGrain>(name).Ensure().WaitAsync(EnsureTimeout, time, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ScheduleWakeFailed(logger, name, ex);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static readonly TimeSpan EnsureTimeout = TimeSpan.FromSeconds(5);
}

/// <summary>Remembers which schedules exist, so one removed from code is retired at the next start.</summary>
[Alias("taskflow.IScheduleDirectoryGrain")]
public interface IScheduleDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records the registered schedules; returns those known before that are no longer registered.</summary>
    [Alias("Sync")]
    Task<string[]> Sync(string[] registered);
}

/// <summary>The stored list of known schedules.</summary>
[GenerateSerializer, Alias("taskflow.ScheduleDirectoryState.v1")]
public sealed class ScheduleDirectoryState
{
    /// <summary>Names of the schedules registered at the last start.</summary>
    [Id(0)] public List<string> Known { get; set; } = [];
}

[GrainType("taskflow.schedule-directory")]
internal sealed class ScheduleDirectoryGrain(
    [PersistentState("schedules", TaskFlowStorage.Name)] IPersistentState<ScheduleDirectoryState> store) : Grain, IScheduleDirectoryGrain
{
    public async Task<string[]> Sync(string[] registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        var removed = store.State.Known.Except(registered, StringComparer.Ordinal).ToArray();
        if (removed.Length > 0 || !store.State.Known.ToHashSet(StringComparer.Ordinal).SetEquals(registered))
        {
            store.State.Known = [.. registered];
            await store.WriteStateAsync();
        }
        return removed;
    }
}
