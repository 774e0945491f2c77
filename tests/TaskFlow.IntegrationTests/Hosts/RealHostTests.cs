using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>The hosts as built, started as a user starts them, driven over real HTTP.</summary>
public sealed class RealHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_embedded_api_accepts_a_task_and_its_location_shows_success()
    {
        var http = FreePort.Next();
        await using var api = HostProcess.Start("Api", new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(FreePort.Next()),
        }, "--urls", $"http://127.0.0.1:{http}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };

        await WaitUntilReadyAsync(client, api);
        await EnqueueAndExpectSuccessAsync(client);
    }

    [Fact]
    public async Task A_client_mode_api_runs_tasks_on_a_standalone_silo()
    {
        var gateway = FreePort.Next();
        var http = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(gateway),
        });
        await silo.WaitForOutputAsync("Application started", StartTimeout);
        Assert.False(silo.HasExited, silo.Output);

        await using var api = HostProcess.Start("Api", new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__Mode"] = "Client",
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(gateway),
        }, "--urls", $"http://127.0.0.1:{http}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };

        await WaitUntilReadyAsync(client, api);
        await EnqueueAndExpectSuccessAsync(client);
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, HostProcess host) =>
        await Eventually.WaitAsync(async () =>
            {
                if (host.HasExited) throw new InvalidOperationException("The host exited:\n" + host.Output);
                try
                {
                    return (await client.GetAsync("/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            ready => ready, StartTimeout, "the host to be ready");

    private static async Task EnqueueAndExpectSuccessAsync(HttpClient client)
    {
        var response = await client.PostAsync("/tasks", new StringContent(
            """{"name":"send_welcome_email","args":{"address":"a@b.c"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        var record = await Eventually.WaitAsync(
            () => client.GetFromJsonAsync<JsonElement>(response.Headers.Location),
            r => r.GetProperty("status").GetString() is "success" or "failed",
            TimeSpan.FromSeconds(30), "the task to finish");
        Assert.Equal("success", record.GetProperty("status").GetString());
    }
}
