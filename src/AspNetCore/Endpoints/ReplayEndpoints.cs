using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>The answer to <c>POST /tasks/{id}/retry</c>.</summary>
public sealed record RetryResponse(Guid TaskId, Guid ReplayOf);

/// <summary>The body of <c>POST /tasks/replay</c>: either <c>taskIds</c>, or a window (<c>since</c>, <c>until</c>,
/// <c>name</c>) selecting failed and interrupted tasks; <c>dryRun</c> dispatches nothing.</summary>
public sealed record ReplayRequest(
    IReadOnlyList<Guid>? TaskIds = null, string? Since = null, string? Until = null, string? Name = null, bool DryRun = false);

/// <summary>One selected task in a replay.</summary>
public sealed record ReplayItem(Guid OriginalTaskId, Guid? NewTaskId, string? Reason);

/// <summary>The answer to <c>POST /tasks/replay</c>.</summary>
public sealed record ReplayResponse(int Dispatched, int Skipped, IReadOnlyList<ReplayItem> Results);

/// <summary>Retry of one task and bulk replay (dead-letter recovery).</summary>
internal static class ReplayEndpoints
{
    /// <summary>The most tasks one replay request selects.</summary>
    public const int MaxSelected = 10_000;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id}/retry", RetryAsync).WithName("TaskFlowRetry")
            .WithSummary("Replay a failed, interrupted or cancelled task as a new task")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/replay", ReplayAsync).WithName("TaskFlowReplay")
            .WithSummary("Replay chosen tasks, or the failed and interrupted tasks of a window; dryRun lists what would run")
            .Accepts<ReplayRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    internal static async Task<Results<Accepted<RetryResponse>, ProblemHttpResult>> RetryAsync(
        string id, ITaskQueue queue, IGrainFactory grains, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found", detail: $"'{id}' is not a task id; task ids are GUIDs.");
        var result = await queue.ReplayAsync(taskId, dryRun: false, cancellationToken);
        if (!result.Found)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found", detail: $"No task has the id '{id}'.");
        if (result.NewTaskId is not { } newId)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The task cannot be retried", detail: $"Task {taskId:D} cannot be retried: {result.Reason}.");
        await Audit.RecordAsync(grains, http, "retry", [taskId, newId], null);
        var path = http.Request.Path.Value!;
        var prefix = path[..path.LastIndexOf($"/{id}/retry", StringComparison.OrdinalIgnoreCase)];
        return TypedResults.Accepted($"{http.Request.PathBase}{prefix}/{newId:D}", new RetryResponse(newId, taskId));
    }

    internal static async Task<Results<Ok<ReplayResponse>, ValidationProblem>> ReplayAsync(
        HttpRequest request, ITaskQueue queue, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ReplayRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<ReplayRequest>(JsonSerializerOptions.Web, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            var field = ex is JsonException { Path: { Length: > 1 } path } ? path.TrimStart('$', '.') : "body";
            return Problem(field, field.StartsWith("taskIds", StringComparison.Ordinal)
                ? "must be a list of task ids (GUIDs)."
                : "is not valid: send {\"taskIds\": [ids]} or {\"since\": \"1h\", \"until\"?, \"name\"?}, with \"dryRun\": true|false.");
        }
        if (body is null) return Problem("body", "is required.");
        var hasIds = body.TaskIds is { Count: > 0 };
        if (hasIds == !string.IsNullOrWhiteSpace(body.Since))
            return Problem("taskIds", "give either taskIds or a window starting at since, not both and not neither.");

        IReadOnlyList<Guid> selected;
        if (hasIds)
        {
            if (body.TaskIds!.Count > MaxSelected) return Problem("taskIds", $"at most {MaxSelected} ids per request.");
            selected = body.TaskIds.Distinct().ToList();
        }
        else
        {
            var now = time.GetUtcNow();
            if (!TimeWindow.TryParse(body.Since, now, out var since)) return Problem("since", $"'{body.Since}' is not {TimeWindow.Accepted}.");
            if (!TimeWindow.TryParse(body.Until, now, out var until)) return Problem("until", $"'{body.Until}' is not {TimeWindow.Accepted}.");
            selected = await SelectWindowAsync(grains, since!.Value, until, body.Name);
        }

        var results = new List<ReplayItem>(selected.Count);
        foreach (var id in selected)
        {
            var result = await queue.ReplayAsync(id, body.DryRun, cancellationToken);
            results.Add(new ReplayItem(id, result.NewTaskId, result.Reason));
        }
        var dispatched = results.Count(r => r.NewTaskId is not null);
        if (!body.DryRun && dispatched > 0)
            await Audit.RecordAsync(grains, request.HttpContext, "replay", results.Where(r => r.NewTaskId is not null).Select(r => r.OriginalTaskId),
                $"{dispatched} replayed, {results.Count(r => r.Reason is not null)} skipped");
        return TypedResults.Ok(new ReplayResponse(dispatched, results.Count(r => r.Reason is not null), results));
    }

    private static async Task<IReadOnlyList<Guid>> SelectWindowAsync(IGrainFactory grains, DateTimeOffset since, DateTimeOffset? until, string? name)
    {
        var query = new TaskQuery
        {
            Statuses = [TaskRunStatus.Failed, TaskRunStatus.Interrupted], Since = since, Until = until,
            Name = string.IsNullOrEmpty(name) ? null : name, Limit = 500,
        };
        var ids = new List<Guid>();
        do
        {
            var page = await grains.GetGrain<ITaskQueryGrain>(0).List(query);
            ids.AddRange(page.Items.Select(r => r.TaskId));
            query = query with { After = page.Next };
        }
        while (query.After is not null && ids.Count < MaxSelected);
        return ids.Take(MaxSelected).ToList();
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: $"{field}: {message}",
            title: "The request is not valid");
}
