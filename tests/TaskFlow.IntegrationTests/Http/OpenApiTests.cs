using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Endpoints;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>The demo host serves its OpenAPI document in Development only, as the ASP.NET Core templates do, and the
/// document says what docs/API.md says: every route MapTaskFlow maps (read from the host's own route table, so a new
/// route fails here until the contract below names it), each with every status it answers, optional fields optional,
/// and how to authenticate.</summary>
public sealed class OpenApiTests(OpenApiTests.DevelopmentApiFactory development) : IClassFixture<OpenApiTests.DevelopmentApiFactory>
{
    public sealed class DevelopmentApiFactory : ApiFactory
    {
        protected override string EnvironmentName => "Development";
    }

    /// <summary>docs/API.md, Endpoints: what each route answers besides what every route of the group may answer
    /// (<see cref="TaskFlowOpenApi.GroupStatusCodes"/>: 401, 403, 503). HEAD answers as GET does.</summary>
    private static readonly Dictionary<string, int[]> Contract = new(StringComparer.Ordinal)
    {
        ["POST /tasks"] = [200, 202, 400, 413, 415],
        ["GET /tasks"] = [200, 400],
        ["GET /tasks/metrics"] = [200],
        ["DELETE /tasks/history"] = [200, 400],
        ["GET /tasks/registry"] = [200],
        ["GET /tasks/{id}"] = [200, 404],
        ["POST /tasks/{id}/cancel"] = [200, 404, 409],
        ["POST /tasks/{id}/retry"] = [202, 404, 409],
        ["POST /tasks/replay"] = [200, 400, 415],
        ["POST /tasks/batches"] = [202, 400, 413, 415],
        ["GET /tasks/batches/{id}"] = [200, 404],
        ["GET /tasks/schedules"] = [200],
        ["POST /tasks/schedules/{name}/pause"] = [200, 404],
        ["POST /tasks/schedules/{name}/resume"] = [200, 404],
        ["POST /tasks/schedules/{name}/trigger"] = [200, 404],
        ["POST /tasks/schedules"] = [201, 400, 409, 413, 415],
        ["PUT /tasks/schedules/{name}"] = [200, 400, 404, 409, 413, 415],
        ["DELETE /tasks/schedules/{name}"] = [204, 404, 409],
        ["GET /tasks/audit"] = [200, 400],
        ["GET /tasks/stream"] = [200],
        ["GET /tasks/cluster"] = [200],
    };

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = development.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.Clone();
    }

    /// <summary>"METHOD /path" of every described route MapTaskFlow mapped, from the host's route table.</summary>
    private IReadOnlyList<string> DescribedRoutes()
    {
        var endpoints = development.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<TaskFlowOpenApi.RouteMarker>() is not null)
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true });
        return [.. endpoints.SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
            .Select(method => $"{method} {"/" + e.RoutePattern.RawText!.Trim('/')}"))];
    }

    private static JsonElement Operation(JsonElement document, string route)
    {
        var (method, path) = (route[..route.IndexOf(' ', StringComparison.Ordinal)], route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"the document has no path {path}");
        Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"the document has no {route}");
        return operation;
    }

    [Fact]
    public async Task In_development_it_describes_the_admin_api_but_not_the_dashboard()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/tasks", paths);
        Assert.Contains("/tasks/{id}", paths);
        Assert.Contains("/tasks/replay", paths);
        Assert.DoesNotContain(paths, p => p.Contains("dashboard", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_route_of_the_group_is_in_the_contract_and_every_contract_route_is_mapped()
    {
        var mapped = DescribedRoutes().Select(r => r.StartsWith("HEAD ", StringComparison.Ordinal) ? "GET " + r[5..] : r).ToHashSet();

        Assert.Empty(mapped.Except(Contract.Keys));   // a new route: add it to docs/API.md and to Contract
        Assert.Empty(Contract.Keys.Except(mapped));
    }

    [Fact]
    public async Task Every_route_declares_exactly_the_statuses_it_answers_and_its_problems_are_problem_json()
    {
        var document = await DocumentAsync();
        foreach (var route in DescribedRoutes())
        {
            var operation = Operation(document, route);
            var contract = Contract[route.StartsWith("HEAD ", StringComparison.Ordinal) ? "GET " + route[5..] : route];
            var declared = operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture));

            Assert.True(contract.Concat(TaskFlowOpenApi.GroupStatusCodes).Order().SequenceEqual(declared.Order()),
                $"{route} declares {string.Join(", ", declared.Order())}; the contract says {string.Join(", ", contract.Concat(TaskFlowOpenApi.GroupStatusCodes).Order())}");
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
                Assert.True(response.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{route} {response.Name} is not problem+json");
        }
    }

    [Fact]
    public async Task Every_route_names_basic_and_the_session_cookie_as_its_security_and_the_apps_own_routes_are_left_alone()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");

        var basic = schemes.GetProperty(TaskFlowOpenApi.BasicScheme);
        Assert.Equal("http", basic.GetProperty("type").GetString());
        Assert.Equal("basic", basic.GetProperty("scheme").GetString());
        var session = schemes.GetProperty(TaskFlowOpenApi.SessionScheme);
        Assert.Equal("apiKey", session.GetProperty("type").GetString());
        Assert.Equal("cookie", session.GetProperty("in").GetString());
        Assert.Equal(".TaskFlow.Session", session.GetProperty("name").GetString());
        foreach (var route in DescribedRoutes())
        {
            var alternatives = Operation(document, route).GetProperty("security").EnumerateArray()
                .Select(r => string.Join("+", r.EnumerateObject().Select(p => p.Name))).ToList();
            Assert.Equal([TaskFlowOpenApi.BasicScheme, TaskFlowOpenApi.SessionScheme], alternatives);
        }
        Assert.False(Operation(document, "POST /signup").TryGetProperty("security", out _), "the demo's own route is not TaskFlow's to describe");
        Assert.False(Operation(document, "POST /signup").GetProperty("responses").TryGetProperty("503", out _));
    }

    [Fact]
    public async Task The_enqueue_body_requires_only_the_name_and_numbers_are_numbers()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var body = Operation(document, "POST /tasks").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("/EnqueueTaskRequest", body.GetProperty("$ref").GetString(), StringComparison.Ordinal);

        var enqueue = schemas.GetProperty("EnqueueTaskRequest");
        Assert.Equal(["name"], enqueue.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["after", "afterPolicy", "args", "delaySeconds", "idempotencyKey", "name", "priority", "runAt", "tags"],
            enqueue.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var number in new[] { "priority", "delaySeconds" })
            Assert.DoesNotContain("string", enqueue.GetProperty("properties").GetProperty(number).GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        Assert.False(schemas.GetProperty("ReplayRequest").TryGetProperty("required", out _), "taskIds or since, and dryRun, are each optional");
        var schedule = schemas.GetProperty("ScheduleRequest");
        Assert.Equal(["task"], schedule.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["args", "cron", "every", "misfire", "name", "overlap", "task", "timeZone"],
            schedule.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_stream_is_described_as_server_sent_events()
    {
        var document = await DocumentAsync();

        var ok = Operation(document, "GET /tasks/stream").GetProperty("responses").GetProperty("200").GetProperty("content");

        Assert.True(ok.TryGetProperty("text/event-stream", out _));
    }

    private sealed class PolicyDevelopmentApiFactory : ApiFactory
    {
        protected override string EnvironmentName => "Development";

        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["TaskFlow:Dashboard:Policy"] = "Ops" };

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.AddAuthorizationBuilder().AddPolicy("Ops", p => p.RequireAuthenticatedUser());
    }

    [Fact]
    public async Task Under_the_apps_own_policy_the_document_names_no_taskflow_scheme_but_still_the_answers()
    {
        await using var policy = new PolicyDevelopmentApiFactory();
        using var http = policy.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));

        var operation = Operation(document.RootElement, "GET /tasks/{id}");

        Assert.False(operation.TryGetProperty("security", out _), "the app's authentication is the app's to describe");
        Assert.False(document.RootElement.TryGetProperty("components", out var components) && components.TryGetProperty("securitySchemes", out _));
        Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(operation.GetProperty("responses").TryGetProperty("404", out _));
    }

    [Fact]
    public async Task In_production_there_is_no_openapi_document()
    {
        await using var production = new ApiFactory();
        using var http = production.CreateClient();

        using var response = await http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
