using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>A schedule as <c>GET /tasks/schedules</c> lists it.</summary>
public sealed record ScheduleResponse(
    string Name, double? Every, string? Cron, string TimeZone, DateTime? NextRunAt, DateTime? LastRunAt, Guid? LastTaskId,
    [property: JsonConverter(typeof(LowercaseEnumConverter<TaskRunStatus>))] TaskRunStatus? LastStatus, bool Paused)
{
    internal static ScheduleResponse From(ScheduleInfo s) => new(
        s.Name, s.EverySeconds, s.Cron, s.TimeZone, s.NextRunAt?.UtcDateTime, s.LastRunAt?.UtcDateTime, s.LastTaskId, s.LastStatus, s.Paused);
}

/// <summary>The answer to a trigger.</summary>
public sealed record TriggerResponse(Guid TaskId);

/// <summary>An audit entry as <c>GET /tasks/audit</c> lists it.</summary>
public sealed record AuditResponse(string Action, IReadOnlyList<string> TaskIds, string Actor, DateTime At, string? Detail);

/// <summary>Schedules and audit endpoints of the admin API.</summary>
internal static class ScheduleEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/schedules", ListAsync).WithName("TaskFlowSchedules").WithSummary("Schedules with their next and last run");
        group.MapPost("/schedules/{name}/pause", (string name, IGrainFactory grains, HttpContext http) =>
                ChangeAsync(name, "pause", g => g.Pause(), grains, http))
            .WithName("TaskFlowPauseSchedule").WithSummary("Pause a schedule").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/schedules/{name}/resume", (string name, IGrainFactory grains, HttpContext http) =>
                ChangeAsync(name, "resume", g => g.Resume(), grains, http))
            .WithName("TaskFlowResumeSchedule").WithSummary("Resume a schedule").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/schedules/{name}/trigger", TriggerAsync).WithName("TaskFlowTriggerSchedule").WithSummary("Fire a schedule now")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/audit", AuditAsync).WithName("TaskFlowAudit").WithSummary("Admin actions, newest first");
    }

    internal static async Task<Ok<ScheduleResponse[]>> ListAsync(TaskRegistry registry, IGrainFactory grains)
    {
        var infos = await Task.WhenAll(registry.Schedules.Select(s => grains.GetGrain<IScheduleGrain>(s.Name).Describe()));
        return TypedResults.Ok(infos.OfType<ScheduleInfo>().Select(ScheduleResponse.From).ToArray());
    }

    internal static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> ChangeAsync(
        string name, string action, Func<IScheduleGrain, Task<ScheduleInfo?>> change, IGrainFactory grains, HttpContext http)
    {
        var registry = http.RequestServices.GetService(typeof(TaskRegistry)) as TaskRegistry;
        if (registry is null || !registry.TryGetSchedule(name, out _)) return UnknownSchedule(name);
        var info = await change(grains.GetGrain<IScheduleGrain>(name));
        if (info is null) return UnknownSchedule(name);
        await Audit.RecordAsync(grains, http, action, [], $"schedule {name}");
        return TypedResults.Ok(ScheduleResponse.From(info));
    }

    internal static async Task<Results<Ok<TriggerResponse>, ProblemHttpResult>> TriggerAsync(
        string name, TaskRegistry registry, IGrainFactory grains, HttpContext http)
    {
        if (!registry.TryGetSchedule(name, out _)) return UnknownSchedule(name);
        var taskId = await grains.GetGrain<IScheduleGrain>(name).Trigger();
        if (taskId is not { } id) return UnknownSchedule(name);
        await Audit.RecordAsync(grains, http, "trigger", [id], $"schedule {name}");
        return TypedResults.Ok(new TriggerResponse(id));
    }

    internal static async Task<Results<Ok<AuditResponse[]>, ValidationProblem>> AuditAsync(IGrainFactory grains, string? limit)
    {
        var count = 200;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > AuditEntry.Kept))
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"'{limit}' is not a count; accepted: an integer from 1 to {AuditEntry.Kept} (default 200)."] },
                detail: $"limit: '{limit}' is not a count; accepted: an integer from 1 to {AuditEntry.Kept} (default 200).", title: "The request is not valid");
        var entries = await grains.GetGrain<IAuditGrain>(0).List(count);
        return TypedResults.Ok(entries.Select(e => new AuditResponse(e.Action, e.TaskIds, e.Actor, e.At.UtcDateTime, e.Detail)).ToArray());
    }

    private static ProblemHttpResult UnknownSchedule(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Schedule not found", detail: $"No schedule is named '{name}'.");
}

/// <summary>Writes admin actions to the audit log with who did them.</summary>
internal static class Audit
{
    public static Task RecordAsync(IGrainFactory grains, HttpContext http, string action, IEnumerable<Guid> taskIds, string? detail) =>
        grains.GetGrain<IAuditGrain>(0).Record(new AuditEntry(action, [.. taskIds.Select(id => id.ToString("D"))], ActorOf(http),
            (http.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow(), detail));

    private static string ActorOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? name
        : http.Connection.RemoteIpAddress is { } ip ? $"anonymous@{ip}" : "anonymous@local";
}
