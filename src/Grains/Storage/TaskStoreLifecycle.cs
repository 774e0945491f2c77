using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Grains;
using TaskFlow.Hosting;

namespace TaskFlow.Storage;

/// <summary>Ties the task store to the silo's life: the schema is prepared before any grain runs (a store that cannot
/// be reached stops the silo with a clear error), and once the silo is active, unfinished tasks are woken —
/// right away, then every <see cref="SweepPeriod"/> — and old history is pruned.</summary>
internal sealed class TaskStoreLifecycle(
    ITaskStore store,
    IGrainFactory grains,
    IOptions<TaskFlowOptions> options,
    TimeProvider time,
    ILogger<TaskStoreLifecycle> logger) : ActiveSiloLoop
{
    /// <summary>How often unfinished tasks are nudged: the bound on how long a task orphaned by a dead silo or a moved
    /// dispatcher waits before it is interrupted or queued again.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan RetentionPeriod = TimeSpan.FromMinutes(10);
    public override void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(TaskStoreLifecycle), ServiceLifecycleStage.ApplicationServices, InitializeAsync, _ => Task.CompletedTask);
        base.Participate(lifecycle);
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Log.StoreInitializeFailed(logger, ex);
            throw;
        }
    }

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var lastRetention = DateTimeOffset.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var woken = await WakeUnfinishedAsync(stopping) + await WakeAwaitingAsync(stopping);
                if (woken > 0) Log.RecoveryDone(logger, woken);
                if (options.Value.RetentionDays is { } days && time.GetUtcNow() - lastRetention >= RetentionPeriod)
                {
                    lastRetention = time.GetUtcNow();
                    var cutoff = lastRetention - TimeSpan.FromDays(days);
                    var deleted = await store.DeleteFinishedBeforeAsync(cutoff, stopping);
                    if (deleted > 0) Log.RetentionDeleted(logger, deleted, cutoff);
                }
                await Task.Delay(SweepPeriod, time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is TaskStoreUnavailableException or TimeoutException)
            {
                Log.StoreWriteFailed(logger, 0, ex);
                await Task.Delay(SweepPeriod, time, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Calls every unfinished task: a fresh activation recovers it (interrupted or re-queued), a live one
    /// makes sure the dispatcher still holds its request.</summary>
    private async Task<int> WakeUnfinishedAsync(CancellationToken stopping)
    {
        var count = 0;
        Guid? after = null;
        while (true)
        {
            var ids = await store.UnfinishedAsync(after, 500, stopping);
            if (ids.Count == 0) return count;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stopping }, async (id, _) =>
            {
                try
                {
                    await grains.Reference<ITaskGrain>(id).Nudge();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RecoveryFailed(logger, id, ex);
                }
            });
            count += ids.Count;
            after = ids[^1];
        }
    }

    /// <summary>Activates every awaiting task (through the status index): a fresh activation — after a restart or the
    /// death of its silo — registers again with the tasks it waits for; a live one is left as it is.</summary>
    private async Task<int> WakeAwaitingAsync(CancellationToken stopping)
    {
        var count = 0;
        TaskCursor? cursor = null;
        do
        {
            var page = await store.QueryAsync(new TaskQuery { Statuses = [TaskRunStatus.Awaiting], Limit = TaskStoreLimits.MaxPage, After = cursor }, stopping);
            await Parallel.ForEachAsync(page.Items, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stopping }, async (task, _) =>
            {
                try
                {
                    await grains.GetGrain<Tasks.ITaskContinuation>(task.TaskId).Wake();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RecoveryFailed(logger, task.TaskId, ex);
                }
            });
            count += page.Items.Length;
            cursor = page.Next;
        }
        while (cursor is not null);
        return count;
    }
}
