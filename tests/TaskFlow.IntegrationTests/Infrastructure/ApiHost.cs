using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>The Api host as a child process plus an HTTP client for it.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private ApiHost(HostProcess process, HttpClient http)
    {
        Process = process;
        Http = http;
    }

    public HostProcess Process { get; }

    public HttpClient Http { get; }

    public static async Task<ApiHost> StartAsync(IDictionary<string, string> settings)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>(settings);
        environment.TryAdd("TaskFlow__Cluster__SiloPort", HostProcess.Port(FreePort.Next()));
        environment.TryAdd("TaskFlow__Cluster__GatewayPort", HostProcess.Port(FreePort.Next()));
        var process = HostProcess.Start("Api", environment, "--urls", $"http://127.0.0.1:{port}");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var host = new ApiHost(process, http);
        await host.WaitUntilReadyAsync();
        return host;
    }

    public async Task WaitUntilReadyAsync() =>
        await Eventually.WaitAsync(async () =>
            {
                if (Process.HasExited) throw new InvalidOperationException("The host exited:\n" + Process.Output);
                try
                {
                    return (await Http.GetAsync("/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            ready => ready, StartTimeout, "the host to be ready");

    public async Task<Guid> EnqueueAsync(string name, object args, int? priority = null)
    {
        var body = JsonSerializer.Serialize(new { name, args, priority }, JsonSerializerOptions.Web);
        var response = await Http.PostAsync("/tasks", new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"Enqueue answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetGuid();
    }

    public Task<JsonElement> MetricsAsync() => Http.GetFromJsonAsync<JsonElement>("/tasks/metrics");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
