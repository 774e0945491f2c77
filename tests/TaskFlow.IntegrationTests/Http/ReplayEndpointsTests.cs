using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class ReplayEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<string> RunAsync(string json, string status)
    {
        var response = await _http.PostAsync("/tasks", new StringContent(json, Encoding.UTF8, "application/json"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;
        await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
            r => r.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(30), $"{id} to be {status}");
        return id;
    }

    private Task<HttpResponseMessage> ReplayAsync(string json) =>
        _http.PostAsync("/tasks/replay", new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Retrying_a_failed_task_creates_a_replay_with_the_same_name_args_and_tags()
    {
        var failed = await RunAsync("""{"name":"fail","args":{"message":"try again"},"tags":{"order":"42"}}""", "failed");

        var response = await _http.PostAsync($"/tasks/{failed}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(failed, body.GetProperty("replayOf").GetString());
        var replayId = body.GetProperty("taskId").GetString()!;
        Assert.NotEqual(failed, replayId);
        Assert.Equal($"/tasks/{replayId}", response.Headers.Location!.OriginalString);
        var replay = await _http.GetFromJsonAsync<JsonElement>($"/tasks/{replayId}");
        Assert.Equal("replay", replay.GetProperty("source").GetString());
        Assert.Equal(failed, replay.GetProperty("replayOf").GetString());
        Assert.Equal("fail", replay.GetProperty("name").GetString());
        Assert.Equal("try again", replay.GetProperty("args").GetProperty("message").GetString());
        Assert.Equal("42", replay.GetProperty("tags").GetProperty("order").GetString());
        var audit = await _http.GetFromJsonAsync<JsonElement>("/tasks/audit");
        Assert.Equal("retry", audit[0].GetProperty("action").GetString());
    }

    [Fact]
    public async Task Retrying_a_task_that_succeeded_is_409_and_an_unknown_one_404()
    {
        var succeeded = await RunAsync("""{"name":"send_otp","args":{"phone":"+15550100"}}""", "success");

        Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsync($"/tasks/{succeeded}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync($"/tasks/{Guid.NewGuid()}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync("/tasks/nope/retry", null)).StatusCode);
    }

    [Fact]
    public async Task A_dry_run_over_a_window_lists_exactly_what_would_run_and_creates_nothing()
    {
        var marker = Guid.NewGuid().ToString("N");
        var first = await RunAsync($$$"""{"name":"fail","args":{"message":"{{{marker}}} 1"}}""", "failed");
        var second = await RunAsync($$$"""{"name":"fail","args":{"message":"{{{marker}}} 2"}}""", "failed");
        var before = await CountReplaysAsync();

        var dry = await (await ReplayAsync("""{"since":"1h","name":"fail","dryRun":true}""")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(0, dry.GetProperty("dispatched").GetInt32());
        var listed = dry.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(listed, r => r.GetProperty("originalTaskId").GetString() == first);
        Assert.Contains(listed, r => r.GetProperty("originalTaskId").GetString() == second);
        Assert.All(listed, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("newTaskId").ValueKind));
        Assert.Equal(before, await CountReplaysAsync());

        var real = await (await ReplayAsync("""{"since":"1h","name":"fail","dryRun":false}""")).Content.ReadFromJsonAsync<JsonElement>();
        var wouldRun = listed.Where(r => r.GetProperty("reason").ValueKind == JsonValueKind.Null).Select(r => r.GetProperty("originalTaskId").GetString()).ToHashSet();
        var didRun = real.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("newTaskId").ValueKind == JsonValueKind.String)
            .Select(r => r.GetProperty("originalTaskId").GetString()).ToHashSet();
        Assert.Superset(wouldRun, didRun);
        Assert.Contains(first, didRun);
        Assert.Equal(before + didRun.Count, await CountReplaysAsync());
    }

    [Fact]
    public async Task Replaying_chosen_ids_skips_unknown_and_unfinished_ones_with_a_reason()
    {
        var failed = await RunAsync("""{"name":"fail","args":{"message":"x"}}""", "failed");
        var succeeded = await RunAsync("""{"name":"send_otp","args":{"phone":"+15550101"}}""", "success");
        var unknown = Guid.NewGuid().ToString();

        var response = await ReplayAsync($$"""{"taskIds":["{{failed}}","{{succeeded}}","{{unknown}}"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("dispatched").GetInt32());
        Assert.Equal(2, body.GetProperty("skipped").GetInt32());
        var byId = body.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("originalTaskId").GetString()!);
        Assert.Equal(JsonValueKind.String, byId[failed].GetProperty("newTaskId").ValueKind);
        Assert.Contains("success", byId[succeeded].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("no task", byId[unknown].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""", "taskIds")]
    [InlineData("""{"taskIds":["5b0e2f1c-0000-4000-8000-000000000001"],"since":"1h"}""", "taskIds")]
    [InlineData("""{"since":"soon"}""", "since")]
    [InlineData("""{"taskIds":["not-a-guid"]}""", "taskIds[0]")]
    [InlineData("""not json""", "body")]
    public async Task A_bad_replay_request_is_a_problem_naming_the_field(string json, string field)
    {
        var response = await ReplayAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    private async Task<int> CountReplaysAsync() =>
        (await _http.GetFromJsonAsync<JsonElement>("/tasks?source=replay&limit=500")).GetProperty("items").GetArrayLength();
}
