using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class ClusterEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_cluster_lists_the_embedded_silo_as_active_with_the_attempt_it_runs_and_the_host_the_attempt_records()
    {
        var posted = await _http.PostAsync("/tasks", new StringContent("""{"name":"sleep","args":{"ms":3000}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString();
        var running = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
            r => r.GetProperty("status").GetString() == "running", TimeSpan.FromSeconds(30), "the task to run");
        var host = running.GetProperty("attempts")[0].GetProperty("host").GetString();

        // Silos report every 2 s: wait for a report that counts the running attempt.
        var cluster = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>("/tasks/cluster"),
            c => c.GetProperty("silos").EnumerateArray().Any(s => s.GetProperty("runningAttempts").ValueKind == JsonValueKind.Number
                && s.GetProperty("runningAttempts").GetInt32() >= 1),
            TimeSpan.FromSeconds(10), "a silo reporting the running attempt");

        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal(host, silo.GetProperty("host").GetString());
        Assert.Equal("active", silo.GetProperty("status").GetString());
        Assert.False(silo.GetProperty("draining").GetBoolean());
        Assert.True(silo.GetProperty("startedAt").GetDateTimeOffset() < DateTimeOffset.UtcNow);
        Assert.True(cluster.GetProperty("slotsInUse").GetInt32() >= 1);
        Assert.True(cluster.GetProperty("maxConcurrency").GetInt32() >= 1);
    }
}
