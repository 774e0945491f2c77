using Microsoft.AspNetCore.Http.HttpResults;

namespace TaskFlow.Demo;

/// <summary>The demo route of API.md: what a user's own endpoint enqueuing a task looks like.</summary>
public static class DemoEndpoints
{
    /// <summary>Maps <c>POST /signup?email=…</c>.</summary>
    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/signup", SignUpAsync).WithTags("Demo").WithSummary("Enqueue a welcome email");
        return endpoints;
    }

    private static async Task<Results<Ok<SignUpResponse>, ValidationProblem>> SignUpAsync(string? email, ITaskQueue tasks, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["is required: POST /signup?email=you@example.com."] },
                detail: "email: is required.");
        try
        {
            return TypedResults.Ok(new SignUpResponse(await tasks.EnqueueAsync(new WelcomeEmail(email), cancellationToken: ct)));
        }
        catch (TaskValidationException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [ex.Problem] }, detail: $"email: {ex.Problem}");
        }
    }

    /// <summary>The id of the enqueued task.</summary>
    public sealed record SignUpResponse(Guid TaskId);
}
