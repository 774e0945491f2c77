using System.Text.Json;
using System.Text.Json.Serialization;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>The stored form of a task's state: JSON with named fields and enum names, so it survives renaming a class
/// and can be read by a human with a SQL client.</summary>
public static class TaskStateJson
{
    /// <summary>Options for stored state.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serializes a task's state.</summary>
    public static string Serialize(TaskState state) => JsonSerializer.Serialize(state, Options);

    /// <summary>Reads a task's state.</summary>
    /// <exception cref="JsonException">The text is not a task state.</exception>
    public static TaskState Deserialize(string json) =>
        JsonSerializer.Deserialize<TaskState>(json, Options) ?? throw new JsonException("A stored task state was null.");

    /// <summary>The column value of a status.</summary>
    public static string StatusName(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Pending => "pending",
        TaskRunStatus.Running => "running",
        TaskRunStatus.Retrying => "retrying",
        TaskRunStatus.Success => "success",
        TaskRunStatus.Failed => "failed",
        TaskRunStatus.Interrupted => "interrupted",
        TaskRunStatus.Cancelled => "cancelled",
        TaskRunStatus.Awaiting => "awaiting",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The column value of a source.</summary>
    public static string SourceName(TaskSource source) => source switch
    {
        TaskSource.Api => "api",
        TaskSource.Scheduled => "scheduled",
        TaskSource.Replay => "replay",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>The status of a column value.</summary>
    public static TaskRunStatus ParseStatus(string name) => Enum.Parse<TaskRunStatus>(name, ignoreCase: true);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
