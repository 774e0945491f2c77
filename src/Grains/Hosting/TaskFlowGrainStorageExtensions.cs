using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>The grain storage named <c>taskflow</c> (schedules, the schedule directory, idempotency keys, the audit
/// log), chosen by the storage provider.</summary>
internal static class TaskFlowGrainStorageExtensions
{
    /// <summary>On PostgreSQL, Orleans' ADO.NET grain storage (invariant <c>Npgsql</c>, JSON payloads) plus the carry-over
    /// of states an older version left in <c>taskflow.grain_state</c>; otherwise <see cref="TaskFlowGrainStorage"/> over
    /// the task store.</summary>
    public static ISiloBuilder AddTaskFlowGrainStorage(this ISiloBuilder silo, TaskFlowStorageOptions storage)
    {
        if (storage.Provider != StorageProvider.Postgres)
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(TaskFlowStorage.Name, (sp, _) => new TaskFlowGrainStorage(sp.GetRequiredService<ITaskStore>()));
            return silo;
        }

        silo.Services.AddOptions<AdoNetGrainStorageOptions>(TaskFlowStorage.Name).Configure(o =>
        {
            o.Invariant = TaskFlowClusteringExtensions.PostgresInvariant;
            o.ConnectionString = storage.ConnectionString;
            o.GrainStorageSerializer = TaskFlowGrainStateSerializer.Instance;
            o.InitStage = PostgresGrainStorage.InitStage;
            // A cleared state keeps its row (no payload, a new version), so the carry-over never mistakes it for a state
            // that was never written.
            o.DeleteStateOnClear = false;
        });
        silo.Services.AddGrainStorage(TaskFlowStorage.Name, (sp, name) => new PostgresGrainStorage(AdoNetGrainStorageFactory.Create(sp, name)));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new GrainStateCarryOver(storage.ConnectionString,
            sp.GetRequiredKeyedService<IGrainStorage>(TaskFlowStorage.Name), sp.GetRequiredService<ILogger<GrainStateCarryOver>>()));
        return silo;
    }
}
