using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary><c>POST /tasks/batches</c> and <c>GET /tasks/batches/{id}</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class BatchEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> PostAsync(string body) =>
        _http.PostAsync("/tasks/batches", new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_batch_answers_202_with_its_ids_and_reports_counts_until_done_then_its_then_task_runs()
    {
        var items = string.Join(",", Enumerable.Range(0, 20).Select(i => i % 5 == 4
            ? "{\"name\":\"fail\",\"args\":{\"message\":\"item " + i + "\"}}"
            : "{\"name\":\"send_otp\",\"args\":{\"phone\":\"+1555010" + i + "\"},\"tags\":{\"i\":\"" + i + "\"}}"));
        var response = await PostAsync("{\"tasks\":[" + items + "],\"then\":{\"name\":\"send_welcome_email\",\"args\":{\"address\":\"done@b.c\"}}}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = created.GetProperty("batchId").GetString()!;
        var thenId = created.GetProperty("thenTaskId").GetString()!;
        Assert.Equal(20, created.GetProperty("taskIds").GetArrayLength());
        Assert.EndsWith($"/tasks/batches/{batchId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var member = await _http.GetFromJsonAsync<JsonElement>($"/tasks/{created.GetProperty("taskIds")[0].GetString()}");
        Assert.Equal(batchId, member.GetProperty("batchId").GetString());

        var done = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/batches/{batchId}"),
            b => b.GetProperty("done").GetBoolean(), TimeSpan.FromSeconds(60), "the batch to be done");
        var then = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{thenId}"),
            t => t.GetProperty("status").GetString() == "success", TimeSpan.FromSeconds(30), "the then task to succeed");

        Assert.Equal(["batchId", "total", "counts", "done", "thenTaskId"], done.EnumerateObject().Select(p => p.Name));
        Assert.Equal(20, done.GetProperty("total").GetInt32());
        Assert.Equal(16, done.GetProperty("counts").GetProperty("success").GetInt32());
        Assert.Equal(4, done.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal(thenId, done.GetProperty("thenTaskId").GetString());
        Assert.Equal(batchId, then.GetProperty("afterBatch").GetString());
    }

    [Theory]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"}},{"name":"send_welcome_email","args":{"address":"not-an-email"}}]}""", "tasks[1].args.address")]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"}},{"name":"nope"}]}""", "tasks[1].name")]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"},"colour":"red"}]}""", "tasks[0].colour")]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"},"idempotencyKey":"k"}]}""", "tasks[0].idempotencyKey")]
    [InlineData("""{"tasks":[42]}""", "tasks[0]")]
    [InlineData("""{"tasks":[]}""", "tasks")]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"}}],"then":{"name":"send_otp","args":{"phone":"1"}}}""", "then.args.phone")]
    [InlineData("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"}}],"also":1}""", "also")]
    public async Task A_bad_item_is_400_naming_it_and_nothing_is_enqueued(string body, string field)
    {
        var before = (await _http.GetFromJsonAsync<JsonElement>("/tasks?name=send_otp&limit=500")).GetProperty("items").GetArrayLength();

        var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var after = (await _http.GetFromJsonAsync<JsonElement>("/tasks?name=send_otp&limit=500")).GetProperty("items").GetArrayLength();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task While_a_member_runs_the_counts_show_its_current_status_and_the_batch_is_not_done()
    {
        var response = await PostAsync("""{"tasks":[{"name":"send_otp","args":{"phone":"+15550100"}},{"name":"sleep","args":{"ms":4000}}]}""");
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = created.GetProperty("batchId").GetString()!;

        var running = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/batches/{batchId}"),
            b => b.GetProperty("counts").TryGetProperty("success", out _), TimeSpan.FromSeconds(30), "the quick member to end");
        var withTasks = await _http.GetFromJsonAsync<JsonElement>($"/tasks/batches/{batchId}?tasks=true");

        Assert.False(running.GetProperty("done").GetBoolean());
        Assert.Equal(1, running.GetProperty("counts").GetProperty("success").GetInt32());
        Assert.True(running.GetProperty("counts").TryGetProperty("running", out _) || running.GetProperty("counts").TryGetProperty("pending", out _), running.ToString());
        Assert.Equal(created.GetProperty("taskIds").ToString(), withTasks.GetProperty("taskIds").ToString());
    }

    [Fact]
    public async Task An_unknown_or_malformed_batch_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/tasks/batches/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/tasks/batches/nope")).StatusCode);
    }
}
