using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>Runtime schedules of the admin API: create, replace, delete. Admin only and anti-forgery checked like every
/// change of the group (<see cref="Security.TaskFlowAccess.Protect"/>), audited.</summary>
internal static class ScheduleChangeEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/schedules", CreateAsync).WithName("TaskFlowCreateSchedule").WithSummary("Create a runtime schedule")
            .Accepts<ScheduleRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPut("/schedules/{name}", ReplaceAsync).WithName("TaskFlowReplaceSchedule").WithSummary("Replace a runtime schedule")
            .Accepts<ScheduleRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/schedules/{name}", DeleteAsync).WithName("TaskFlowDeleteSchedule").WithSummary("Delete a runtime schedule")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal static async Task<Results<Created<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ITaskSchedules schedules, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var outcome = await ChangeAsync(request, null, "create-schedule", spec => schedules.CreateAsync(spec, cancellationToken), grains, cancellationToken);
        if (outcome.Invalid is { } invalid) return invalid;
        if (outcome.Problem is { } problem) return problem;
        return TypedResults.Created((string?)null, outcome.Schedule);
    }

    internal static async Task<Results<Ok<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string name, HttpRequest request, ITaskSchedules schedules, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var outcome = await ChangeAsync(request, name, "update-schedule", spec => schedules.ReplaceAsync(name, spec, cancellationToken), grains, cancellationToken);
        if (outcome.Invalid is { } invalid) return invalid;
        if (outcome.Problem is { } problem) return problem;
        return TypedResults.Ok(outcome.Schedule);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, HttpContext http, ITaskSchedules schedules, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var change = await schedules.DeleteAsync(name, cancellationToken);
        if (Refused(change, name) is { } problem) return problem;
        await Audit.RecordAsync(grains, http, "delete-schedule", [], $"schedule {name}");
        return TypedResults.NoContent();
    }

    /// <summary>The schedule after a create or a replace, or why there is none.</summary>
    private sealed record Outcome(ScheduleResponse? Schedule, ValidationProblem? Invalid = null, ProblemHttpResult? Problem = null);

    private static async Task<Outcome> ChangeAsync(
        HttpRequest request, string? routeName, string action, Func<ScheduleSpec, Task<ScheduleChange>> change, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        ScheduleSpec spec;
        ScheduleChange outcome;
        try
        {
            spec = await ScheduleRequestReader.ReadAsync(request, routeName, cancellationToken);
            outcome = await change(spec);
        }
        catch (EnqueueRequestReader.BodyException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            return new Outcome(null, Invalid: TaskFlowEndpoints.FieldProblem(ex.Field, ex.Message));
        }
        catch (EnqueueRequestReader.BodyException ex)
        {
            return new Outcome(null, Problem: TypedResults.Problem(statusCode: ex.Status, title: "The request body was refused", detail: $"{ex.Field}: {ex.Message}"));
        }
        catch (TaskValidationException ex)
        {
            return new Outcome(null, Invalid: TaskFlowEndpoints.FieldProblem(ex.Field, ex.Problem));
        }

        if (Refused(outcome, spec.Name) is { } problem) return new Outcome(null, Problem: problem);
        await Audit.RecordAsync(grains, request.HttpContext, action, [], $"schedule {spec.Name}");
        return new Outcome(ScheduleResponse.From(outcome.Schedule!));
    }

    private static ProblemHttpResult? Refused(ScheduleChange change, string name) => change.Status switch
    {
        ScheduleChangeStatus.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Schedule not found",
            detail: $"No schedule is named '{name}'."),
        ScheduleChangeStatus.NameTaken => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The name is taken",
            detail: $"name: a schedule is already named '{name}'; choose another name or replace it with PUT."),
        ScheduleChangeStatus.DefinedInCode => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The schedule is defined in code",
            detail: $"The schedule '{name}' is defined in code and changes only with it; pause it instead."),
        _ => null,
    };
}
