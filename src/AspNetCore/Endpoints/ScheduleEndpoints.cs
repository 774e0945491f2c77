using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>A schedule as <c>GET /tasks/schedules</c> lists it; <c>source</c> is <c>code</c> or <c>runtime</c>.</summary>
public sealed record ScheduleResponse(
    string Name, double? Every, string? Cron, string TimeZone, DateTime? NextRunAt, DateTime? LastRunAt, Guid? LastTaskId,
    [property: JsonConverter(typeof(LowercaseEnumConverter<TaskRunStatus>))] TaskRunStatus? LastStatus, bool Paused,
    string Task, JsonElement Args, string Source,
    [property: JsonConverter(typeof(LowercaseEnumConverter<MisfirePolicy>))] MisfirePolicy Misfire,
    [property: JsonConverter(typeof(LowercaseEnumConverter<OverlapPolicy>))] OverlapPolicy Overlap)
{
    internal static ScheduleResponse From(ScheduleInfo s)
    {
        using var args = JsonDocument.Parse(s.ArgsJson);
        return new(s.Name, s.EverySeconds, s.Cron, s.TimeZone, s.NextRunAt?.UtcDateTime, s.LastRunAt?.UtcDateTime, s.LastTaskId,
            s.LastStatus, s.Paused, s.Task, args.RootElement.Clone(), s.Runtime ? "runtime" : "code", s.Misfire, s.Overlap);
    }
}

/// <summary>The body of <c>POST /tasks/schedules</c> and <c>PUT /tasks/schedules/{name}</c>: <c>every</c> or
/// <c>cron</c>. (The endpoint reads the body field by field, so every fault names its field; this type describes it.)</summary>
public sealed class ScheduleRequest
{
    /// <summary>The schedule's name (on PUT, the path's, which it may leave out).</summary>
    public string? Name { get; init; }

    /// <summary>The registered task it fires.</summary>
    public required string Task { get; init; }

    /// <summary>Arguments of every fired task, binding to the task's argument type; an empty object when omitted.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Interval in seconds (1 to 31,622,400), aligned to multiples since the Unix epoch.</summary>
    [JsonNumberHandling(JsonNumberHandling.Strict)]
    public double? Every { get; init; }

    /// <summary>Cron expression, five fields or six with seconds.</summary>
    public string? Cron { get; init; }

    /// <summary>IANA time zone of a cron schedule; UTC when omitted.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Missed occurrences: <c>fireOnce</c> (default) or <c>skip</c>.</summary>
    public string? Misfire { get; init; }

    /// <summary>Occurrences while the previous run is unfinished: <c>allow</c> (default) or <c>skip</c>.</summary>
    public string? Overlap { get; init; }
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
        ScheduleChangeEndpoints.Map(group);
        group.MapGet("/audit", AuditAsync).WithName("TaskFlowAudit").WithSummary("Admin actions, newest first");
    }

    internal static async Task<Ok<ScheduleResponse[]>> ListAsync(ITaskSchedules schedules, CancellationToken cancellationToken) =>
        TypedResults.Ok((await schedules.ListAsync(cancellationToken)).Select(ScheduleResponse.From).ToArray());

    internal static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> ChangeAsync(
        string name, string action, Func<IScheduleGrain, Task<ScheduleInfo?>> change, IGrainFactory grains, HttpContext http)
    {
        var info = await change(grains.GetGrain<IScheduleGrain>(name));
        if (info is null) return UnknownSchedule(name);
        await Audit.RecordAsync(grains, http, action, [], $"schedule {name}");
        return TypedResults.Ok(ScheduleResponse.From(info));
    }

    internal static async Task<Results<Ok<TriggerResponse>, ProblemHttpResult>> TriggerAsync(
        string name, IGrainFactory grains, HttpContext http)
    {
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
