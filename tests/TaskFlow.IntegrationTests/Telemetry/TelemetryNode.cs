using System.Net.Http.Json;
using System.Text.Json;
using TaskFlow.IntegrationTests.Http;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Telemetry;

/// <summary>The real Api host with the given settings: an embedded silo, or (with <c>TaskFlow:Cluster:Mode=Client</c>)
/// a client node joining another node's gateway.</summary>
internal sealed class TelemetryNode(IReadOnlyDictionary<string, string> settings) : ApiFactory
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected override IReadOnlyDictionary<string, string> Settings => settings;

    public async Task<JsonElement> EnqueueAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("/tasks", body);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<JsonElement> WaitForStatusAsync(HttpClient http, string taskId, params string[] statuses) =>
        Eventually.WaitAsync(
            async () => await http.GetFromJsonAsync<JsonElement>($"/tasks/{taskId}"),
            r => statuses.Contains(r.GetProperty("status").GetString()),
            Patience, $"task {taskId} to reach {string.Join(" or ", statuses)}");
}
