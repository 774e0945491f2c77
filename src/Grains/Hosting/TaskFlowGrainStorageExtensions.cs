using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>The grain storage named <c>taskflow</c> (schedules, the schedule directory, idempotency keys, the audit
/// log) kept in the task store, for the providers without a grain storage of their own (Memory, SQLite).</summary>
internal static class TaskFlowGrainStorageExtensions
{
    public static ISiloBuilder AddTaskFlowStoreGrainStorage(this ISiloBuilder silo)
    {
        silo.Services.AddKeyedSingleton<IGrainStorage>(TaskFlowStorage.Name, (sp, _) => new TaskFlowGrainStorage(sp.GetRequiredService<ITaskStore>()));
        return silo;
    }
}
