namespace TaskFlow.Grains;

/// <summary>Creates tasks on the silo that receives the call (a stateless worker: one or more activations on every
/// silo, none registered in the grain directory). The task is written to the store here and its grain is told
/// afterwards, so an enqueue or a schedule fire depends only on this silo and the store, never on a silo that just died
/// or was cut off (whose directory range or activations would hold the call until its death is declared).</summary>
[Alias("taskflow.ITaskCreatorGrain")]
public interface ITaskCreatorGrain : IGrainWithIntegerKey
{
    /// <summary>Keys to spread a client's calls over the gateways (a client sends all calls to one grain through one
    /// gateway; a retry under another key usually goes through another).</summary>
    public const int Keys = 64;

    /// <summary>Creates task <paramref name="taskId"/> and stores it; returns once stored. Calling it again with the same
    /// id returns the stored record.</summary>
    [Alias("Create")]
    Task<TaskRecord> Create(Guid taskId, TaskSpec spec);
}
