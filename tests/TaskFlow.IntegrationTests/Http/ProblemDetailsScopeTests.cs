using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>What TaskFlow adds to the host's problem details stays on its own routes: an app's own endpoint keeps the
/// answer the app gives.</summary>
public sealed class ProblemDetailsScopeTests
{
    public sealed record Thing(string Name);

    [Fact]
    public async Task Only_taskflow_routes_explain_a_refused_media_type()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["TaskFlow:Storage:Provider"] = "Memory";
        builder.Configuration["TaskFlow:Cluster:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["TaskFlow:Cluster:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddTaskFlow(tf => tf.AddMemoryStorage());
        await using var app = builder.Build();
        app.UseStatusCodePages();
        app.MapTaskFlow("/jobs");
        app.MapPost("/app/things", (Thing thing) => Microsoft.AspNetCore.Http.Results.Ok(thing));
        await app.StartAsync();
        using var http = app.GetTestClient();

        using var own = await http.PostAsync("/app/things", new StringContent("""{"name":"x"}""", Encoding.UTF8, "text/plain"));
        using var ours = await http.PostAsync("/jobs", new StringContent("""{"name":"x"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, own.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, ours.StatusCode);
        var ourDetail = (await ours.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.StartsWith("body:", ourDetail, StringComparison.Ordinal);
        var ownBody = await own.Content.ReadAsStringAsync();
        Assert.DoesNotContain("body: the body must be JSON", ownBody, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
