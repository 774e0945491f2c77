using Orleans.Concurrency;
using TaskFlow.Grains;

namespace TaskFlow.Storage;

/// <summary>Serves history queries on whichever silo the caller reaches; stateless, so it scales with the silos.</summary>
[GrainType("taskflow.query"), StatelessWorker]
internal sealed class TaskQueryGrain(ITaskStore store) : Grain, ITaskQueryGrain
{
    public Task<TaskPage> List(TaskQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Driver exceptions become TaskStoreUnavailableException: only serializable data crosses to the caller.
        return TaskStates.Unavailable(() => store.QueryAsync(query with { Limit = Math.Clamp(query.Limit, 1, TaskStoreLimits.MaxPage) }));
    }

    public async Task<TaskMetrics> Metrics()
    {
        var metrics = TaskStates.Unavailable(() => store.MetricsAsync());
        var dispatch = GrainFactory.GetGrain<IDispatcherGrain>(0).Snapshot();
        var (stored, snapshot) = (await metrics, await dispatch);
        return stored with
        {
            QueuedByPriority = snapshot.QueuedByPriority,
            RunningSlots = snapshot.Running,
            MaxConcurrency = snapshot.MaxConcurrency,
        };
    }

    public Task<int> DeleteHistory(DateTimeOffset cutoff) => TaskStates.Unavailable(() => store.DeleteFinishedBeforeAsync(cutoff));
}
