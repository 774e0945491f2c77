using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Health;

namespace TaskFlow;

/// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>; neither requires authentication.</summary>
public static class HealthEndpoints
{
    /// <summary>Liveness answers whenever the process serves HTTP; readiness when the cluster answers.</summary>
    public static IEndpointRouteBuilder MapTaskFlowHealth(this IEndpointRouteBuilder endpoints, string prefix = "/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks($"{prefix}/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .ExcludeFromDescription();
        endpoints.MapHealthChecks($"{prefix}/ready", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(TaskFlowReadinessCheck.Tag),
                ResponseWriter = WriteAsync,
            })
            .ExcludeFromDescription();
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        });
    }
}
