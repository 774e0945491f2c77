using Microsoft.Extensions.Hosting;

namespace TaskFlow.Hosting;

/// <summary>Hosts the TaskFlow silo inside the application's own process (<c>TaskFlow:Cluster:Mode=Embedded</c>). The
/// runtime (TaskFlow.Grains) registers it when a storage is added (<c>tf.AddSqliteStorage()</c>,
/// <c>tf.AddMemoryStorage()</c>, …); <c>AddTaskFlow</c> of TaskFlow.AspNetCore calls it, so a web node that only calls a
/// cluster carries no silo.</summary>
public interface ITaskFlowEmbeddedSilo
{
    /// <summary>Adds the silo (clustering, runtime, storage) to <paramref name="builder"/>, shaped by
    /// <paramref name="options"/> as read now; the caller has registered the options the host resolves.</summary>
    void AddTo(IHostApplicationBuilder builder, TaskFlowOptions options);
}
