namespace TaskFlow;

/// <summary>What created a task.</summary>
[GenerateSerializer, Alias("taskflow.TaskSource")]
public enum TaskSource
{
    /// <summary>Enqueued by application code or <c>POST /tasks</c>.</summary>
    Api = 0,
    /// <summary>Fired by a schedule.</summary>
    Scheduled = 1,
    /// <summary>A replay of an earlier task.</summary>
    Replay = 2,
}
