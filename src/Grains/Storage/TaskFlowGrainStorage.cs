using System.Text.Json;
using Orleans.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The Orleans grain storage named <c>taskflow</c>: task states go to the tasks table (one row, real columns,
/// one write per transition); other TaskFlow grains' states go to the keyed state table as JSON.</summary>
internal sealed class TaskFlowGrainStorage(ITaskStore store, ITaskArgsProtector? protector = null) : IGrainStorage
{
    /// <summary>Marks protected arguments in a stored state, so a store can hold both kinds while encryption is turned on.</summary>
    private const string ProtectedPrefix = "protected:v1:";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Unavailable(() => ReadAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Unavailable(() => WriteAsync(stateName, grainId, grainState));

    /// <summary>Any database failure reaches callers as <see cref="TaskStoreUnavailableException"/> (the API's 503);
    /// a lost version race stays an <see cref="InconsistentStateException"/>.</summary>
    private static async Task Unavailable(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new TaskStoreUnavailableException("The task store cannot be reached: " + ex.Message, ex);
        }
    }

    private async Task ReadAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState is IGrainState<TaskState> task)
        {
            var stored = await store.ReadTaskAsync(grainId.GetGuidKey());
            task.RecordExists = stored is not null;
            task.ETag = stored?.ETag;
            if (stored is not null) task.State = Reveal(stored.Value);
            return;
        }

        var json = await store.ReadStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!);
        grainState.RecordExists = json is not null;
        grainState.ETag = json?.ETag;
        if (json is not null) grainState.State = JsonSerializer.Deserialize<T>(json.Value, TaskStateJson.Options)!;
    }

    private async Task WriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState is IGrainState<TaskState> task)
        {
            var state = task.State ?? throw new InvalidOperationException("A task state to store was null.");
            task.ETag = await store.WriteTaskAsync(Conceal(state), task.ETag);
            task.RecordExists = true;
            return;
        }

        var json = JsonSerializer.Serialize(grainState.State, TaskStateJson.Options);
        grainState.ETag = await store.WriteStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!, json, grainState.ETag);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.ClearStateAsync(TypeOf(grainId, stateName), grainId.Key.ToString()!, grainState.ETag);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private TaskState Conceal(TaskState state) =>
        protector is null || state.Record.ArgsJson.StartsWith(ProtectedPrefix, StringComparison.Ordinal)
            ? state
            : state with { Record = state.Record with { ArgsJson = ProtectedPrefix + protector.Protect(state.Record.ArgsJson) } };

    private TaskState Reveal(TaskState state)
    {
        var args = state.Record.ArgsJson;
        if (!args.StartsWith(ProtectedPrefix, StringComparison.Ordinal)) return state;
        if (protector is null)
            throw new InvalidOperationException($"Task {state.Record.TaskId} has encrypted arguments; set TaskFlow:Storage:EncryptArgs=true with the same key ring.");
        return state with { Record = state.Record with { ArgsJson = protector.Unprotect(args[ProtectedPrefix.Length..]) } };
    }

    private static string TypeOf(GrainId grainId, string stateName) => $"{grainId.Type}/{stateName}";
}
