using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskFlow;

/// <summary>The JSON rules of task arguments: web defaults (camelCase), and strict binding so a typo or a
/// missing field is refused at enqueue rather than discovered by the handler.</summary>
public static class TaskFlowJson
{
    /// <summary>Options used to bind and store task arguments.</summary>
    public static JsonSerializerOptions Args { get; } = CreateArgsOptions();

    private static JsonSerializerOptions CreateArgsOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
