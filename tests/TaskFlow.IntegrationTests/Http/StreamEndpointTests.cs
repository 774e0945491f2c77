using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class StreamEndpointTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_stream_sends_headers_at_once_then_every_status_change_and_metrics()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.GetAsync("/tasks/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);

        // The node subscribes to the events hub in the background: a task enqueued before that subscription is active
        // shows only its later events. Enqueue again until one task's events start from 'pending', then check it.
        var statuses = new List<string>();
        var sawMetrics = false;
        string? id = null;
        var clock = Stopwatch.StartNew();
        string? type = null;
        while (!(statuses.Contains("success") && statuses[0] == "pending" && sawMetrics))
        {
            var joinedLate = statuses.Count > 0 && statuses[0] != "pending";
            if (id is null || joinedLate || (statuses.Count == 0 && clock.Elapsed > TimeSpan.FromSeconds(3)))
            {
                var created = await _http.PostAsync("/tasks", new StringContent("""{"name":"send_welcome_email","args":{"address":"stream@b.c"}}""",
                    Encoding.UTF8, "application/json"), timeout.Token);
                id = (await created.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("taskId").GetString();
                statuses.Clear();
                clock.Restart();
            }
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var data = JsonDocument.Parse(line["data: ".Length..]);
                if (type == "metrics") sawMetrics = data.RootElement.TryGetProperty("maxConcurrency", out _);
                else if (type == "task" && data.RootElement.GetProperty("taskId").GetString() == id)
                {
                    statuses.Add(data.RootElement.GetProperty("status").GetString()!);
                    Assert.False(data.RootElement.TryGetProperty("args", out _), "stream events carry no args");
                }
            }
        }

        Assert.Equal(["pending", "running", "success"], statuses);
    }
}
