namespace TaskFlow.Grains;

/// <summary>Holds which task an idempotency key belongs to. One activation per key makes the key unique
/// cluster-wide.</summary>
[Alias("taskflow.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>Returns the key's live task, or creates the task from <paramref name="spec"/> under
    /// <paramref name="newTaskId"/> when the key is free or its task failed, was interrupted or cancelled.</summary>
    [Alias("Submit")]
    Task<SubmitOutcome> Submit(Guid newTaskId, TaskSpec spec);
}
