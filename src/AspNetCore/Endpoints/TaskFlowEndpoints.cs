using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orleans.Runtime;
using TaskFlow.Endpoints;
using TaskFlow.Grains;
using TaskFlow.Security;

namespace TaskFlow;

/// <summary><c>app.MapTaskFlow("/tasks")</c>: the admin API of API.md as one route group.</summary>
public static class TaskFlowEndpoints
{
    /// <summary>Maps the TaskFlow admin API, its stream and the dashboard under <paramref name="prefix"/>, guarded by
    /// <c>TaskFlow:Dashboard</c> (loopback only, configured users, or a named policy).</summary>
    public static RouteGroupBuilder MapTaskFlow(this IEndpointRouteBuilder endpoints, string prefix = "/tasks")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("TaskFlow");
        (endpoints.ServiceProvider.GetService(typeof(TaskFlowRoutes)) as TaskFlowRoutes)?.Add(prefix);
        // First, so it wraps every route and filter of the group: outages are 503 with Retry-After everywhere.
        group.AddEndpointFilter<TaskFlowProblems>();
        TaskFlowAccess.Protect(group, endpoints.ServiceProvider);
        TaskFlowOpenApi.Describe(group);
        LoginEndpoints.Map(group);

        group.MapPost("/", EnqueueAsync)
            .WithName("TaskFlowEnqueue")
            .WithSummary("Enqueue a task")
            .Accepts<EnqueueTaskRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListAsync).WithName("TaskFlowList").WithSummary("Tasks of the whole cluster, newest first")
            .ProducesValidationProblem();
        group.MapGet("/metrics", GetMetricsAsync).WithName("TaskFlowMetrics").WithSummary("Counts, durations and the queue");
        group.MapDelete("/history", DeleteHistoryAsync).WithName("TaskFlowDeleteHistory")
            .WithSummary("Delete terminal tasks that ended before a cutoff").ProducesValidationProblem();
        group.MapGet("/registry", GetRegistry).WithName("TaskFlowRegistry").WithSummary("Registered tasks and their options");
        group.MapGet("/{id}", GetAsync).WithName("TaskFlowGet").WithSummary("A task's record")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", CancelAsync).WithName("TaskFlowCancel").WithSummary("Cancel a task")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        ScheduleEndpoints.Map(group);
        ReplayEndpoints.Map(group);
        ClusterEndpoints.Map(group);
        group.MapGet("/stream", Streaming.StreamEndpoint.StreamAsync).WithName("TaskFlowStream")
            .WithSummary("Server-sent events: every status change of the cluster, metrics every 5 s, heartbeats")
            .Produces<string>(StatusCodes.Status200OK, contentType: "text/event-stream");
        Dashboard.DashboardEndpoints.Map(group);
        // HEAD answers wherever GET does (the headers of the GET; servers send no body), for probes and link checkers.
        ((IEndpointConventionBuilder)group).Finally(AllowHeadWhereGet);
        group.AddEndpointFilter(static (context, next) =>
        {
            // Kestrel drops a HEAD response's body itself; other servers (in-process, IIS modules) may not.
            if (HttpMethods.IsHead(context.HttpContext.Request.Method)) context.HttpContext.Response.Body = Stream.Null;
            return next(context);
        });
        return group;
    }

    internal static async Task<Results<Accepted<TaskResponse>, Ok<TaskResponse>, ValidationProblem, ProblemHttpResult>> EnqueueAsync(
        HttpRequest request, ITaskQueue queue, CancellationToken cancellationToken)
    {
        EnqueueRequestReader.Parsed parsed;
        try
        {
            parsed = await EnqueueRequestReader.ReadAsync(request, cancellationToken);
        }
        catch (EnqueueRequestReader.BodyException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            return FieldProblem(ex.Field, ex.Message);
        }
        catch (EnqueueRequestReader.BodyException ex)
        {
            return TypedResults.Problem(statusCode: ex.Status, title: "The request body was refused", detail: $"{ex.Field}: {ex.Message}");
        }

        EnqueueResult result;
        try
        {
            result = await queue.SubmitAsync(parsed.Name, parsed.Args, parsed.Options, cancellationToken);
        }
        catch (TaskValidationException ex)
        {
            return FieldProblem(ex.Field, ex.Problem);
        }
        var response = TaskResponse.From(result.Record, detail: true);
        var location = $"{request.PathBase}{TrimSlash(request.Path)}/{result.Record.TaskId:D}";
        if (result.Created) return TypedResults.Accepted(location, response);
        request.HttpContext.Response.Headers.Location = location;
        return TypedResults.Ok(response);
    }

    internal static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetAsync(string id, ITaskQueue queue, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId)) return NotFound(id);
        var record = await queue.GetAsync(taskId, cancellationToken);
        return record is null ? NotFound(id) : TypedResults.Ok(TaskResponse.From(record, detail: true));
    }

    internal static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> CancelAsync(
        string id, ITaskQueue queue, IGrainFactory grains, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var taskId)) return NotFound(id);
        var result = await queue.CancelAsync(taskId, cancellationToken);
        if (!result.Found) return NotFound(id);
        if (!result.Accepted)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The task cannot be cancelled",
                detail: $"Task {taskId:D} cannot be cancelled: {result.Reason}.");
        await Audit.RecordAsync(grains, http, "cancel", [taskId], null);
        return TypedResults.Ok(TaskResponse.From(result.Record!, detail: false));
    }

    internal static async Task<Results<Ok<TaskListResponse>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string? status, string? name, string? source, string? since, string? until, string? search, string? limit, string? cursor,
        IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var statuses = new List<TaskRunStatus>();
        foreach (var part in (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<TaskRunStatus>(part, ignoreCase: true, out var parsed) || int.TryParse(part, out _))
                return FieldProblem("status", $"'{part}' is not a status; accepted: pending, running, retrying, success, failed, interrupted, cancelled.");
            statuses.Add(parsed);
        }
        TaskSource? sourceFilter = null;
        if (!string.IsNullOrEmpty(source))
        {
            if (!Enum.TryParse<TaskSource>(source, ignoreCase: true, out var parsed) || int.TryParse(source, out _))
                return FieldProblem("source", $"'{source}' is not a source; accepted: api, scheduled, replay.");
            sourceFilter = parsed;
        }
        if (!TimeWindow.TryParse(since, now, out var sinceAt)) return FieldProblem("since", $"'{since}' is not {TimeWindow.Accepted}.");
        if (!TimeWindow.TryParse(until, now, out var untilAt)) return FieldProblem("until", $"'{until}' is not {TimeWindow.Accepted}.");
        var pageSize = 50;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > 500))
            return FieldProblem("limit", $"'{limit}' is not a page size; accepted: an integer from 1 to 500 (default 50).");
        TaskCursor? after = null;
        if (!string.IsNullOrEmpty(cursor) && !TaskCursor.TryDecode(cursor, out after))
            return FieldProblem("cursor", "is not a cursor returned by this API (nextCursor).");

        var query = new TaskQuery
        {
            Statuses = [.. statuses], Name = string.IsNullOrEmpty(name) ? null : name, Source = sourceFilter,
            Since = sinceAt, Until = untilAt, Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
            Limit = pageSize, After = after,
        };
        var page = await grains.GetGrain<ITaskQueryGrain>(0).List(query).WaitAsync(cancellationToken);
        return TypedResults.Ok(new TaskListResponse([.. page.Items.Select(r => TaskResponse.From(r, detail: false))], page.Next?.Encode()));
    }

    internal static async Task<Ok<MetricsResponse>> GetMetricsAsync(IGrainFactory grains, CancellationToken cancellationToken) =>
        TypedResults.Ok(MetricsResponse.From(await grains.GetGrain<ITaskQueryGrain>(0).Metrics().WaitAsync(cancellationToken)));

    internal static async Task<Results<Ok<DeleteHistoryResponse>, ValidationProblem, ProblemHttpResult>> DeleteHistoryAsync(
        string? olderThan, IGrainFactory grains, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(olderThan))
            return FieldProblem("olderThan", $"is required: {TimeWindow.Accepted}.");
        if (!TimeWindow.TryParse(olderThan, time.GetUtcNow(), out var cutoff))
            return FieldProblem("olderThan", $"'{olderThan}' is not {TimeWindow.Accepted}.");
        var deleted = await grains.GetGrain<ITaskQueryGrain>(0).DeleteHistory(cutoff!.Value).WaitAsync(cancellationToken);
        await Audit.RecordAsync(grains, http, "delete-history", [], $"{deleted} tasks that ended before {cutoff.Value.UtcDateTime:O}");
        return TypedResults.Ok(new DeleteHistoryResponse(deleted));
    }

    internal static Ok<RegistryEntry[]> GetRegistry(TaskRegistry registry) =>
        TypedResults.Ok(registry.All.Select(RegistryEntry.From).ToArray());

    internal static ValidationProblem FieldProblem(string field, string message) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [message] },
            detail: $"{field}: {message}",
            title: "The request is not valid");

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found",
            detail: Guid.TryParse(id, out _) ? $"No task has the id '{id}'." : $"'{id}' is not a task id; task ids are GUIDs.");

    private static void AllowHeadWhereGet(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.OfType<HttpMethodMetadata>().LastOrDefault() is { } methods &&
            methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
    }

    private static string TrimSlash(PathString path) => path.Value?.TrimEnd('/') ?? "";
}
