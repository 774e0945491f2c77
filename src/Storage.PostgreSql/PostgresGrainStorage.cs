using Orleans.Storage;

namespace TaskFlow.Storage;

/// <summary>The <c>taskflow</c> grain storage on PostgreSQL: Orleans' ADO.NET grain storage over the
/// <c>OrleansStorage</c> table (<c>deploy/sql/postgresql/orleans/004_orleans_persistence.sql</c>), with a database
/// failure reported as <see cref="TaskStoreUnavailableException"/> like every other store operation (the API's 503).
/// A lost version race stays an <see cref="InconsistentStateException"/>.</summary>
internal sealed class PostgresGrainStorage(AdoNetGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>When the ADO.NET storage reads its statements from <c>OrleansQuery</c>: after the task store's start,
    /// which applies the schema even when no ADO.NET clustering did so earlier.</summary>
    public const int InitStage = ServiceLifecycleStage.ApplicationServices + 1;

    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TaskStates.Unavailable(async () =>
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
            return true;
        });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TaskStates.Unavailable(async () =>
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return true;
        });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TaskStates.Unavailable(async () =>
        {
            await inner.ClearStateAsync(stateName, grainId, grainState);
            return true;
        });
}
