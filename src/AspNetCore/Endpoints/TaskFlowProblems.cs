using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace TaskFlow.Endpoints;

/// <summary>The one exception-to-problem mapping of <c>MapTaskFlow</c>'s route group (API.md, Errors): an outage of the
/// store or of the cluster is 503 with <c>Retry-After</c> on every route; a body that cannot be read is 400 naming
/// <c>body</c>; a request the server refused while reading it keeps its status (413, 400). Anything else is a bug and
/// goes to the app's exception handler as before.</summary>
internal sealed class TaskFlowProblems : IEndpointFilter
{
    /// <summary>Seconds a client is asked to wait after a 503.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (!http.Response.HasStarted && IsUnavailable(ex) && !http.RequestAborted.IsCancellationRequested)
        {
            ProblemLog.Unavailable(Logger(http), http.Request.Method, http.Request.Path.Value ?? "", ex);
            return Unavailable(http);
        }
        catch (OperationCanceledException ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // Not the client's cancellation: Orleans cancels a call whose silo went away mid-call.
            ProblemLog.Unavailable(Logger(http), http.Request.Method, http.Request.Path.Value ?? "", ex);
            return Unavailable(http);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            return TypedResults.Problem(statusCode: ex.StatusCode, title: "The request was refused",
                detail: ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? "body: the request body is too large."
                    : "body: the request could not be read.");
        }
        catch (JsonException ex) when (!http.Response.HasStarted)
        {
            var field = ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = ["is not valid JSON of the accepted shape."] },
                detail: $"{field}: is not valid JSON of the accepted shape.", title: "The request is not valid");
        }
    }

    /// <summary>503 with <c>Retry-After</c>: the cluster or its store did not answer; nothing was changed.</summary>
    public static ProblemHttpResult Unavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "TaskFlow is unavailable",
            detail: "The task cluster or its store did not answer; nothing was changed. Try again shortly.");
    }

    /// <summary>True when <paramref name="exception"/>, or anything it wraps, says the cluster or its store cannot be
    /// reached (rather than that the request was wrong): the one definition of an outage.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TaskStoreUnavailableException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException
                or GatewayTooBusyException or ClientNotAvailableException or Orleans.Runtime.Messaging.ConnectionFailedException)
                return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnavailable)) return true;
        }
        return false;
    }

    private static ILogger Logger(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("TaskFlow.Api");
}

internal static partial class ProblemLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "TaskFlow answered 503 to {Method} {Path}: the cluster or its store is unavailable")]
    public static partial void Unavailable(ILogger logger, string method, string path, Exception exception);
}
