using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary><c>POST /tasks</c> with <c>after</c> and <c>afterPolicy</c>, the <c>awaiting</c> status in the record, the
/// list filter and the metrics.</summary>
[Collection(ApiCollection.Name)]
public sealed class ContinuationEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<HttpResponseMessage> PostAsync(object body) =>
        await _http.PostAsync("/tasks", new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));

    private async Task<JsonElement> EnqueueAsync(object body)
    {
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> done) =>
        Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"), done, TimeSpan.FromSeconds(30), $"task {id}");

    [Fact]
    public async Task A_continuation_is_awaiting_in_the_record_the_filter_and_the_metrics_then_runs_after_its_parent()
    {
        var parent = (await EnqueueAsync(new { name = "sleep", args = new { ms = 1_500 } })).GetProperty("taskId").GetString()!;
        var child = await EnqueueAsync(new { name = "send_welcome_email", args = new { address = "a@b.c" }, after = new[] { parent }, afterPolicy = "finished" });
        var childId = child.GetProperty("taskId").GetString()!;

        Assert.Equal("awaiting", child.GetProperty("status").GetString());
        Assert.Equal(parent, child.GetProperty("after")[0].GetString());
        Assert.Equal("finished", child.GetProperty("afterPolicy").GetString());
        var awaiting = await _http.GetFromJsonAsync<JsonElement>("/tasks?status=awaiting&limit=500");
        Assert.Contains(awaiting.GetProperty("items").EnumerateArray(), t => t.GetProperty("taskId").GetString() == childId);
        Assert.True((await _http.GetFromJsonAsync<JsonElement>("/tasks/metrics")).GetProperty("awaiting").GetInt64() >= 1);
        var parentRecord = await WaitForAsync(parent, r => r.GetProperty("continuations").GetArrayLength() == 1);
        Assert.Equal(childId, parentRecord.GetProperty("continuations")[0].GetString());

        var done = await WaitForAsync(childId, r => r.GetProperty("status").GetString() == "success");
        var ended = (await _http.GetFromJsonAsync<JsonElement>($"/tasks/{parent}")).GetProperty("endedAt").GetDateTime();
        Assert.True(done.GetProperty("startedAt").GetDateTime() >= ended);
    }

    [Theory]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"after":["00000000-0000-4000-8000-00000000beef"]}""", "after[0]")]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"after":["not-an-id"]}""", "after[0]")]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"after":[]}""", "after")]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"after":"x"}""", "after")]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"afterPolicy":"finished"}""", "afterPolicy")]
    [InlineData("""{"name":"send_welcome_email","args":{"address":"a@b.c"},"after":["00000000-0000-4000-8000-00000000beef"],"afterPolicy":"sometimes"}""", "afterPolicy")]
    public async Task Bad_continuation_fields_are_400_naming_the_field(string body, string field)
    {
        var response = await _http.PostAsync("/tasks", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
