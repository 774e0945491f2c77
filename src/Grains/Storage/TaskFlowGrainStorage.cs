using System.Text.Json;
using Orleans.Storage;

namespace TaskFlow.Storage;

/// <summary>The Orleans grain storage named <c>taskflow</c>: the states of TaskFlow's other grains (idempotency keys,
/// schedules, audit) go to the keyed state table as JSON. Task grains read and write the tasks table themselves,
/// through <see cref="TaskStates"/>.</summary>
internal sealed class TaskFlowGrainStorage(ITaskStore store) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TaskStates.Unavailable(async () =>
        {
            var json = await store.ReadStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!);
            grainState.RecordExists = json is not null;
            grainState.ETag = json?.ETag;
            if (json is not null) grainState.State = JsonSerializer.Deserialize<T>(json.Value, TaskStateJson.Options)!;
            return true;
        });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TaskStates.Unavailable(async () =>
        {
            var json = JsonSerializer.Serialize(grainState.State, TaskStateJson.Options);
            grainState.ETag = await store.WriteStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!, json, grainState.ETag);
            grainState.RecordExists = true;
            return true;
        });

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.ClearStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!, grainState.ETag);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static string TypeOf(GrainId grainId, string stateName) => $"{grainId.Type}/{stateName}";
}
