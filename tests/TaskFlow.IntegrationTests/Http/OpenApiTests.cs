using System.Net;
using System.Text.Json;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>The demo host serves its OpenAPI document in Development only, as the ASP.NET Core templates do.</summary>
public sealed class OpenApiTests(OpenApiTests.DevelopmentApiFactory development) : IClassFixture<OpenApiTests.DevelopmentApiFactory>
{
    public sealed class DevelopmentApiFactory : ApiFactory
    {
        protected override string EnvironmentName => "Development";
    }

    [Fact]
    public async Task In_development_it_describes_the_admin_api_but_not_the_dashboard()
    {
        using var http = development.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/tasks", paths);
        Assert.Contains("/tasks/{id}", paths);
        Assert.Contains("/tasks/replay", paths);
        Assert.DoesNotContain(paths, p => p.Contains("dashboard", StringComparison.OrdinalIgnoreCase));
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
