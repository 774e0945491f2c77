using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Telemetry;

namespace TaskFlow.Tasks;

/// <summary>Writes a new task to the store on the silo that received the call, then hands the stored state to the
/// task's grain (one-way; the store sweep wakes it if that message is lost), which tells the stream listeners: every
/// status change of a task goes out through the relay of its grain's silo, so listeners see them in order.
/// Independent creates run side by side.</summary>
[GrainType("taskflow.task-creator"), StatelessWorker, Reentrant]
internal sealed class TaskCreatorGrain(
    TaskStates states,
    TaskRegistry registry,
    TimeProvider time,
    TaskFlowMetrics metrics,
    ILogger<TaskCreatorGrain> logger) : Grain, ITaskCreatorGrain
{
    public async Task<TaskRecord> Create(Guid taskId, TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!registry.TryGet(spec.Name, out var registration))
            throw new ArgumentException($"'{spec.Name}' is not a registered task on this silo.", nameof(spec));

        var created = TaskLifecycle.Create(taskId, spec, registration.Options, time.GetUtcNow());
        string etag;
        try
        {
            // Conditional on no row with this id: a repeated create (a retry whose first answer was lost) is refused.
            etag = await states.WriteAsync(created.State, expectedETag: null);
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            var stored = await states.ReadAsync(taskId) ?? throw new InvalidOperationException($"Task {taskId} was refused as existing and then not found.");
            return stored.Value.Record;
        }

        metrics.Enqueued(spec.Name);
        Log.TaskAccepted(logger, taskId, spec.Name, created.State.Record.Priority);
        _ = GrainFactory.GetGrain<ITaskAdoption>(taskId).Adopt(created.State, etag);
        return created.State.Record;
    }
}
