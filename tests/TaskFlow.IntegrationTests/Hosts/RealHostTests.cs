using System.Net.Http.Json;
using System.Text.Json;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>The hosts as built, started as a user starts them, driven over real HTTP.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class RealHostTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_embedded_api_accepts_a_task_and_its_location_shows_success()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        });

        await EnqueueAndExpectSuccessAsync(api);
    }

    [Fact]
    public async Task A_client_mode_api_runs_tasks_on_a_standalone_silo()
    {
        var gateway = HostProcess.Port(FreePort.Next());
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow__Cluster__GatewayPort"] = gateway,
            ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        });
        await silo.WaitForOutputAsync("Application started", StartTimeout);
        Assert.False(silo.HasExited, silo.Output);

        await using var api = await ApiHost.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__Mode"] = "Client",
            ["TaskFlow__Cluster__GatewayPort"] = gateway,
        });

        await EnqueueAndExpectSuccessAsync(api);
    }

    private static async Task EnqueueAndExpectSuccessAsync(ApiHost api)
    {
        // The README's first steps: POST the demo task, then GET its Location.
        var response = await api.Http.PostAsync("/tasks", new StringContent(
            """{"name":"send_welcome_email","args":{"address":"a@b.c"}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        var record = await Eventually.WaitAsync(
            () => api.Http.GetFromJsonAsync<JsonElement>(response.Headers.Location),
            r => r.GetProperty("status").GetString() is "success" or "failed",
            TimeSpan.FromSeconds(30), "the task to finish");
        Assert.Equal("success", record.GetProperty("status").GetString());
    }
}
