using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class HistoryEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<string> EnqueueAsync(string json)
    {
        var response = await _http.PostAsync("/tasks", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;
    }

    private Task<JsonElement> WaitForAsync(string id, string status) =>
        Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
            r => r.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(30), $"{id} to be {status}");

    [Fact]
    public async Task The_list_is_newest_first_filters_by_status_and_name_and_pages_with_a_cursor()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var failed = new List<string>();
        for (var i = 0; i < 3; i++) failed.Add(await EnqueueAsync($$$"""{"name":"fail","args":{"message":"{{{tag}}}-{{{i}}}"}}"""));
        foreach (var id in failed) await WaitForAsync(id, "failed");

        var page = await _http.GetFromJsonAsync<JsonElement>("/tasks?status=failed&name=fail&since=1h&limit=2");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("failed", i.GetProperty("status").GetString()));
        Assert.All(items, i => Assert.False(i.TryGetProperty("args", out _), "the list carries no args"));
        Assert.All(items, i => Assert.False(i.TryGetProperty("attempts", out _), "the list carries no attempts"));
        // Newest first to the millisecond the stores order by (two tasks created within one are ordered by id).
        var created = items.Select(i => i.GetProperty("createdAt").GetDateTimeOffset().ToUnixTimeMilliseconds()).ToList();
        Assert.True(created[0] >= created[1], $"{created[0]} before {created[1]}");

        var cursor = page.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor));
        var next = await _http.GetFromJsonAsync<JsonElement>($"/tasks?status=failed&name=fail&since=1h&limit=2&cursor={cursor}");
        var nextIds = next.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("taskId").GetString()).ToList();
        Assert.DoesNotContain(items[0].GetProperty("taskId").GetString(), nextIds);

        var search = await _http.GetFromJsonAsync<JsonElement>($"/tasks?search={failed[0][..8].ToUpperInvariant()}");
        Assert.Contains(search.GetProperty("items").EnumerateArray(), i => i.GetProperty("taskId").GetString() == failed[0]);
    }

    [Fact]
    public async Task Metrics_report_counts_durations_queue_and_the_limit()
    {
        var id = await EnqueueAsync("""{"name":"send_otp","args":{"phone":"+15550100"}}""");
        await WaitForAsync(id, "success");

        var metrics = await _http.GetFromJsonAsync<JsonElement>("/tasks/metrics");

        string[] fields =
        [
            "total", "awaiting", "pending", "running", "retrying", "success", "failed", "interrupted", "cancelled", "successRate",
            "avgDurationSeconds", "p95DurationSeconds", "queuedByPriority", "maxConcurrency",
        ];
        Assert.Equal(fields, metrics.EnumerateObject().Select(p => p.Name));
        Assert.True(metrics.GetProperty("success").GetInt64() >= 1);
        Assert.InRange(metrics.GetProperty("successRate").GetDouble(), 0, 1);
        Assert.True(metrics.GetProperty("avgDurationSeconds").GetDouble() > 0);
        Assert.Equal(10, metrics.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(JsonValueKind.Object, metrics.GetProperty("queuedByPriority").ValueKind);
    }

    [Fact]
    public async Task Deleting_history_removes_finished_tasks_older_than_the_cutoff_only()
    {
        var id = await EnqueueAsync("""{"name":"fail","args":{"message":"old news"}}""");
        await WaitForAsync(id, "failed");
        var pending = await EnqueueAsync("""{"name":"sleep","args":{"ms":1},"delaySeconds":3600}""");

        var response = await _http.DeleteAsync($"/tasks/history?olderThan={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetInt32() >= 1);
        var list = await _http.GetFromJsonAsync<JsonElement>("/tasks?limit=500");
        var ids = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("taskId").GetString()).ToList();
        Assert.DoesNotContain(id, ids);
        Assert.Contains(pending, ids);
        await _http.PostAsync($"/tasks/{pending}/cancel", null);
    }

    [Theory]
    [InlineData("/tasks?status=done", "status")]
    [InlineData("/tasks?source=cron", "source")]
    [InlineData("/tasks?since=yesterday", "since")]
    [InlineData("/tasks?until=6x", "until")]
    [InlineData("/tasks?limit=0", "limit")]
    [InlineData("/tasks?limit=501", "limit")]
    [InlineData("/tasks?limit=ten", "limit")]
    [InlineData("/tasks?cursor=%%%", "cursor")]
    public async Task Bad_list_arguments_are_problems_naming_the_field(string url, string field)
    {
        var response = await _http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/tasks/history")]
    [InlineData("/tasks/history?olderThan=soon")]
    public async Task Deleting_history_needs_a_valid_cutoff(string url)
    {
        var response = await _http.DeleteAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("olderThan:", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
