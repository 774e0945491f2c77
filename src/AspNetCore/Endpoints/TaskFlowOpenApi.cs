using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using TaskFlow.Security;

namespace TaskFlow.Endpoints;

/// <summary>What the OpenAPI document says about the routes of <c>MapTaskFlow</c> beyond each route's own answers
/// (API.md, Security and Outages): every route may answer 401, 403 and 503 problems, and is called with HTTP Basic or
/// the dashboard's session cookie. Applied to whichever documents the host app serves (<c>AddOpenApi</c>); the app's
/// own operations are left alone.</summary>
internal sealed class TaskFlowOpenApi(IOptions<TaskFlowDashboardOptions> access) : IOpenApiOperationTransformer
{
    /// <summary>The name of the HTTP Basic scheme in <c>components.securitySchemes</c>.</summary>
    public const string BasicScheme = "TaskFlowBasic";

    /// <summary>The name of the session cookie scheme in <c>components.securitySchemes</c>.</summary>
    public const string SessionScheme = "TaskFlowSession";

    /// <summary>The status codes every route of the group may answer, whatever it does.</summary>
    public static readonly IReadOnlyList<int> GroupStatusCodes =
    [
        StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status503ServiceUnavailable,
    ];

    /// <summary>Marks the routes of the group, so only they are changed.</summary>
    internal sealed class RouteMarker
    {
        public static readonly RouteMarker Instance = new();
    }

    /// <summary>Declares the group's common answers on every route of <paramref name="group"/>.</summary>
    public static void Describe(RouteGroupBuilder group)
    {
        group.WithMetadata(RouteMarker.Instance);
        foreach (var status in GroupStatusCodes) group.ProducesProblem(status);
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<RouteMarker>().Any()) return Task.CompletedTask;
        // Under the app's own policy the app's authentication decides; its schemes are the app's to describe.
        if (access.Value.Mode == TaskFlowAccessMode.Policy || context.Document is not { } document) return Task.CompletedTask;

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(BasicScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "A user of TaskFlow:Dashboard:Users (role admin or viewer). With no users configured, requests " +
                "from this machine need no credentials and others are refused (403).",
        });
        document.Components.SecuritySchemes.TryAdd(SessionScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = TaskFlowAccess.SessionCookie,
            Description = "The dashboard's session after its login form; changes also need the page's anti-forgery token " +
                "in the X-TaskFlow-Antiforgery header.",
        });
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BasicScheme, document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SessionScheme, document)] = [] });
        return Task.CompletedTask;
    }
}

/// <summary>A property marked <c>[JsonNumberHandling(Strict)]</c> (the enqueue body's numbers, which TaskFlow reads
/// as JSON numbers only) is described as a number, not also as a numeric string as the web defaults would.</summary>
internal sealed class StrictNumbersOpenApi : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonPropertyInfo?.NumberHandling == System.Text.Json.Serialization.JsonNumberHandling.Strict && schema.Type is { } type &&
            (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}

/// <summary>Registers TaskFlow's transformers with every OpenAPI document the app may add.</summary>
internal static class TaskFlowOpenApiRegistration
{
    public static IServiceCollection AddTaskFlowOpenApi(this IServiceCollection services) =>
        services.ConfigureAll<OpenApiOptions>(o => o
            .AddOperationTransformer<TaskFlowOpenApi>()
            .AddSchemaTransformer<StrictNumbersOpenApi>());
}
