using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>The body of <c>POST /tasks/batches</c> (for the OpenAPI document; the body is read by hand).</summary>
public sealed class EnqueueBatchRequest
{
    /// <summary>1–10,000 tasks, each like a <c>POST /tasks</c> body without <c>idempotencyKey</c>.</summary>
    public required IReadOnlyList<EnqueueTaskRequest> Tasks { get; init; }

    /// <summary>A task that runs once every task of the batch has ended.</summary>
    public EnqueueTaskRequest? Then { get; init; }
}

/// <summary>The answer to <c>POST /tasks/batches</c>.</summary>
public sealed record BatchCreatedResponse(Guid BatchId, IReadOnlyList<Guid> TaskIds, Guid? ThenTaskId);

/// <summary>The body of <c>GET /tasks/batches/{id}</c>: members by status, whether all have ended, the then task.</summary>
public sealed record BatchResponse(Guid BatchId, int Total, IReadOnlyDictionary<string, int> Counts, bool Done, Guid? ThenTaskId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Guid>? TaskIds)
{
    internal static BatchResponse From(BatchInfo b, bool withTasks) => new(b.BatchId, b.Total,
        b.Counts.OrderBy(c => c.Key).ToDictionary(c => c.Key.ToString().ToLowerInvariant(), c => c.Value), b.Done, b.ThenTaskId,
        withTasks ? b.TaskIds : null);
}

/// <summary><c>POST /tasks/batches</c> and <c>GET /tasks/batches/{id}</c>.</summary>
internal static class BatchEndpoints
{
    /// <summary>A batch body may be this large (10,000 small items).</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/batches", EnqueueAsync).WithName("TaskFlowEnqueueBatch").WithSummary("Enqueue a batch of tasks and a task to run after them")
            .Accepts<EnqueueBatchRequest>("application/json")
            .Produces<BatchCreatedResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/batches/{id}", GetAsync).WithName("TaskFlowBatch").WithSummary("A batch's progress")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static async Task<Results<Accepted<BatchCreatedResponse>, ValidationProblem, ProblemHttpResult>> EnqueueAsync(
        HttpRequest request, ITaskQueue queue, CancellationToken cancellationToken)
    {
        List<BatchItem> items = [];
        BatchItem? then = null;
        try
        {
            using var document = await EnqueueRequestReader.ReadDocumentAsync(request, MaxBodyBytes, cancellationToken);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return FieldProblem("body", "must be a JSON object {\"tasks\": [...], \"then\"?: {...}}.");
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("tasks" or "then"))
                    return FieldProblem(property.Name, "is not a field of a batch; accepted fields: tasks, then.");
            }
            if (!root.TryGetProperty("tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Array)
                return FieldProblem("tasks", "is required: an array of 1 to 10000 tasks, each {\"name\", \"args\", …}.");
            var i = 0;
            foreach (var item in tasks.EnumerateArray()) items.Add(ReadItem(item, $"tasks[{i++}]"));
            if (root.TryGetProperty("then", out var thenElement) && thenElement.ValueKind != JsonValueKind.Null)
                then = ReadItem(thenElement, "then");
        }
        catch (EnqueueRequestReader.BodyException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            return FieldProblem(ex.Field, ex.Message);
        }
        catch (EnqueueRequestReader.BodyException ex)
        {
            return TypedResults.Problem(statusCode: ex.Status, title: "The request body was refused", detail: $"{ex.Field}: {ex.Message}");
        }

        BatchResult result;
        try
        {
            result = await queue.EnqueueBatchAsync(items, then, cancellationToken);
        }
        catch (TaskValidationException ex)
        {
            return FieldProblem(ex.Field, ex.Problem);
        }
        return TypedResults.Accepted($"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{result.BatchId:D}",
            new BatchCreatedResponse(result.BatchId, result.TaskIds, result.ThenTaskId));
    }

    internal static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> GetAsync(string id, bool? tasks, ITaskQueue queue, CancellationToken cancellationToken)
    {
        var info = Guid.TryParse(id, out var batchId) ? await queue.GetBatchAsync(batchId, cancellationToken) : null;
        return info is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Batch not found",
                detail: Guid.TryParse(id, out _) ? $"No batch has the id '{id}'." : $"'{id}' is not a batch id; batch ids are GUIDs.")
            : TypedResults.Ok(BatchResponse.From(info, tasks == true));
    }

    /// <summary>One item, read like a <c>POST /tasks</c> body; its faults are named under <paramref name="path"/>.</summary>
    private static BatchItem ReadItem(JsonElement item, string path)
    {
        try
        {
            var parsed = EnqueueRequestReader.Parse(item);
            return new BatchItem(parsed.Name, parsed.Args, parsed.Options);
        }
        catch (EnqueueRequestReader.BodyException ex)
        {
            throw new EnqueueRequestReader.BodyException(ex.Status, ex.Field == "body" ? path : $"{path}.{ex.Field}", ex.Message);
        }
    }

    private static ValidationProblem FieldProblem(string field, string message) => TaskFlowEndpoints.FieldProblem(field, message);
}
