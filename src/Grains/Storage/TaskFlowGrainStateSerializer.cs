using Orleans.Storage;

namespace TaskFlow.Storage;

/// <summary>How the <c>taskflow</c> grain storage on PostgreSQL writes a state into its payload: UTF-8 JSON with
/// <see cref="TaskStateJson.Options"/> — named camelCase fields and enum names, the format of the tasks table and of the
/// older <c>grain_state</c> rows. No type name is stored (the type comes from the grain's
/// <c>IPersistentState&lt;T&gt;</c>), so a state class can be renamed or moved; renaming a property needs
/// <c>[JsonPropertyName]</c> with the old name.</summary>
internal sealed class TaskFlowGrainStateSerializer : IGrainStorageSerializer
{
    public static TaskFlowGrainStateSerializer Instance { get; } = new();

    public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input, TaskStateJson.Options);

    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.ToObjectFromJson<T>(TaskStateJson.Options)!;
    }
}
