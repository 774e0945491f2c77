using TaskFlow.Hosting;

namespace TaskFlow;

/// <summary><c>tf.AddMemoryStorage()</c>: the runtime with its built-in store, for tests and trials.</summary>
public static class TaskFlowMemoryStorageExtensions
{
    /// <summary>Adds the TaskFlow runtime with the in-memory store (<c>TaskFlow:Storage:Provider=Memory</c>): nothing
    /// survives the process. In an ASP.NET Core app, this is what lets <c>AddTaskFlow</c> host the silo in-process.</summary>
    public static TaskFlowBuilder AddMemoryStorage(this TaskFlowBuilder tf)
    {
        ArgumentNullException.ThrowIfNull(tf);
        TaskFlowStorageProviders.Add(tf.Services, TaskFlowStorageProviders.Memory);
        return tf;
    }
}
