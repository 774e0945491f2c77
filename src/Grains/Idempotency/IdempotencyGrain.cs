using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.Idempotency;

/// <summary>One idempotency key. Stores the key's task id before creating the task, so two racing submissions with the
/// same key (from any API node) get the same task.</summary>
[GrainType("taskflow.idempotency")]
internal sealed class IdempotencyGrain(
    [PersistentState("key", TaskFlowStorage.Name)] IPersistentState<IdempotencyState> store) : Grain, IIdempotencyGrain
{
    public async Task<SubmitOutcome> Submit(Guid newTaskId, TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (store.State.TaskId is { } existingId)
        {
            var existing = await GrainFactory.Reference<ITaskGrain>(existingId).Get();
            // A key whose task failed, was interrupted or cancelled may be used again; a missing task means an
            // earlier submission stored the key but died before the task was stored.
            if (existing is not null && !existing.Status.IsReplayable())
                return new SubmitOutcome(existing, Created: false);
        }

        store.State = new IdempotencyState { TaskId = newTaskId };
        await store.WriteStateAsync();
        var record = await GrainFactory.Reference<ITaskGrain>(newTaskId).Create(spec);
        return new SubmitOutcome(record, Created: true);
    }
}

/// <summary>The stored state of an idempotency key.</summary>
[GenerateSerializer, Alias("taskflow.IdempotencyState.v1")]
public sealed class IdempotencyState
{
    /// <summary>The task the key currently belongs to.</summary>
    [Id(0)] public Guid? TaskId { get; set; }
}
