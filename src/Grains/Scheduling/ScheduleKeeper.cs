using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.Storage;

namespace TaskFlow.Scheduling;

/// <summary>On every silo: once active, retires schedules removed from code, then keeps every schedule grain (code
/// and runtime) awake (every <see cref="Period"/>), so a schedule whose silo died is back within seconds rather than
/// at its next reminder, and after a restart of the whole cluster even where reminders live in memory.</summary>
internal sealed class ScheduleKeeper(TaskRegistry registry, IGrainFactory grains, TimeProvider time, ILogger<ScheduleKeeper> logger)
    : ActiveSiloLoop
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var names = registry.Schedules.Select(s => s.Name).ToArray();
        var directory = grains.GetGrain<IScheduleDirectoryGrain>(0);
        try
        {
            foreach (var removed in await directory.Sync(names))
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
            await Task.WhenAll(names.Concat(await RuntimeNamesAsync(directory, stopping)).Select(name => EnsureAsync(name, stopping)));
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

    private async Task<string[]> RuntimeNamesAsync(IScheduleDirectoryGrain directory, CancellationToken stopping)
    {
        try
        {
            return await directory.Runtime().WaitAsync(EnsureTimeout, time, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ScheduleWakeFailed(logger, "(directory)", ex);
            return [];
        }
    }

    private static readonly TimeSpan EnsureTimeout = TimeSpan.FromSeconds(5);
}

/// <summary>The stored list of known schedules.</summary>
[GenerateSerializer, Alias("taskflow.ScheduleDirectoryState.v1")]
public sealed class ScheduleDirectoryState
{
    /// <summary>Names of the schedules registered at the last start.</summary>
    [Id(0)] public List<string> Known { get; set; } = [];

    /// <summary>Names of the schedules defined at runtime, in order.</summary>
    [Id(1)] public List<string> Runtime { get; set; } = [];
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

    public Task<string[]> Runtime() => Task.FromResult(store.State.Runtime.ToArray());

    public async Task SetRuntime(string name, bool exists)
    {
        ArgumentNullException.ThrowIfNull(name);
        var runtime = store.State.Runtime;
        if (exists == runtime.Contains(name, StringComparer.Ordinal)) return;
        if (exists)
        {
            runtime.Add(name);
            runtime.Sort(StringComparer.Ordinal);
        }
        else
        {
            runtime.Remove(name);
        }
        await store.WriteStateAsync();
    }
}
