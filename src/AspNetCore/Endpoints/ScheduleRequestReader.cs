using System.Text.Json;
using Microsoft.AspNetCore.Http;
using static TaskFlow.Endpoints.EnqueueRequestReader;

namespace TaskFlow.Endpoints;

/// <summary>Reads <c>POST /tasks/schedules</c> and <c>PUT /tasks/schedules/{name}</c> bodies into a
/// <see cref="ScheduleSpec"/>, naming the field of every fault of shape (a field of the wrong type, one that does not
/// exist); what the values mean is <see cref="ScheduleSpecValidator"/>'s to check.</summary>
internal static class ScheduleRequestReader
{
    private static readonly string[] Fields = ["name", "task", "args", "every", "cron", "timeZone", "misfire", "overlap"];

    /// <summary>Reads the body; <paramref name="routeName"/> is the name of a PUT's route, which a body's name must match.</summary>
    public static async Task<ScheduleSpec> ReadAsync(HttpRequest request, string? routeName, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, cancellationToken);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw Bad("body", $"the body must be a JSON object with the fields {string.Join(", ", Fields)}.");
        foreach (var property in root.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                throw Bad(property.Name, $"is not a field of a schedule; accepted fields: {string.Join(", ", Fields)}.");
        }

        var name = String(root, "name");
        if (routeName is not null && name is not null && name != routeName)
            throw Bad("name", $"must be the schedule's name in the path ('{routeName}') or left out.");
        name ??= routeName ?? throw Bad("name", "is required: the schedule's name.");
        var task = String(root, "task") ?? throw Bad("task", "is required: the name of a registered task.");

        double? every = null;
        if (Get(root, "every") is { ValueKind: not JsonValueKind.Null } e)
            every = e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var seconds) ? seconds : throw Bad("every", "must be a number of seconds.");

        return new ScheduleSpec
        {
            Name = name,
            Task = task,
            ArgsJson = Get(root, "args") is { ValueKind: not JsonValueKind.Null } args ? args.GetRawText() : null,
            EverySeconds = every,
            Cron = String(root, "cron"),
            TimeZone = String(root, "timeZone"),
            Misfire = Choice(root, "misfire", MisfirePolicy.FireOnce, ("fireOnce", MisfirePolicy.FireOnce), ("skip", MisfirePolicy.Skip)),
            Overlap = Choice(root, "overlap", OverlapPolicy.Allow, ("allow", OverlapPolicy.Allow), ("skip", OverlapPolicy.Skip)),
        };
    }

    private static string? String(JsonElement root, string field) => Get(root, field) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw Bad(field, "must be a string."),
    };

    private static T Choice<T>(JsonElement root, string field, T fallback, params (string Text, T Value)[] choices)
    {
        if (String(root, field) is not { } text) return fallback;
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return value;
        }
        throw Bad(field, $"'{text}' is not accepted; use {string.Join(" or ", choices.Select(c => $"'{c.Text}'"))}.");
    }
}
