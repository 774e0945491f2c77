using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary><c>POST /tasks</c> with <c>runAt</c> (docs/API.md, Endpoints): pending until that instant, started within a
/// second after it; refused with a problem naming <c>runAt</c> beside <c>delaySeconds</c> or more than a year ahead.</summary>
[Collection(ApiCollection.Name)]
public sealed class RunAtTests(ApiFactory factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> PostJsonAsync(string json) =>
        _http.PostAsync("/tasks", new StringContent(json, Encoding.UTF8, "application/json"));

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<JsonElement> WaitForStartAsync(Uri location) =>
        await Eventually.WaitAsync(
            async () => await _http.GetFromJsonAsync<JsonElement>(location),
            r => r.GetProperty("startedAt").ValueKind == JsonValueKind.String,
            Patience, $"{location} to start");

    [Fact]
    public async Task A_task_run_at_an_instant_is_pending_until_it_and_starts_within_a_second_after()
    {
        var runAt = DateTimeOffset.UtcNow.AddSeconds(3);
        runAt = runAt.AddTicks(-(runAt.UtcTicks % TimeSpan.TicksPerMillisecond));

        var response = await PostJsonAsync($$"""{"name":"sleep","args":{"ms":1},"runAt":"{{Instant(runAt)}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", accepted.GetProperty("status").GetString());
        Assert.Equal(runAt, accepted.GetProperty("nextAttemptAt").GetDateTimeOffset());

        var started = (await WaitForStartAsync(response.Headers.Location!)).GetProperty("startedAt").GetDateTimeOffset();
        Assert.True(started >= runAt, $"started at {started:O}, before runAt {runAt:O}");
        Assert.True(started - runAt < TimeSpan.FromSeconds(1), $"started at {started:O}, more than a second after runAt {runAt:O}");
    }

    [Fact]
    public async Task A_task_run_at_an_instant_in_the_past_runs_now()
    {
        var runAt = DateTimeOffset.UtcNow.AddHours(-1);

        var response = await PostJsonAsync($$"""{"name":"sleep","args":{"ms":1},"runAt":"{{Instant(runAt)}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nextAttemptAt").ValueKind);
        var record = await WaitForStartAsync(response.Headers.Location!);
        Assert.True(record.GetProperty("startedAt").GetDateTimeOffset() > runAt.AddMinutes(59));
    }

    [Fact]
    public async Task An_instant_with_an_offset_is_the_same_instant()
    {
        var runAt = DateTimeOffset.UtcNow.AddHours(2);
        runAt = runAt.AddTicks(-(runAt.UtcTicks % TimeSpan.TicksPerSecond));
        var text = runAt.ToOffset(TimeSpan.FromHours(5.5)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

        var response = await PostJsonAsync($$"""{"name":"sleep","args":{"ms":1},"runAt":"{{text}}"}""");

        var record = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(runAt, record.GetProperty("nextAttemptAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/tasks/{record.GetProperty("taskId").GetString()}/cancel", null)).StatusCode);
    }

    public static TheoryData<string> BadRunAts => new()
    {
        // with delaySeconds
        """{"name":"sleep","args":{"ms":1},"delaySeconds":5,"runAt":"2030-01-01T00:00:00Z"}""",
        // more than a year ahead
        $$"""{"name":"sleep","args":{"ms":1},"runAt":"{{Instant(DateTimeOffset.UtcNow.AddDays(367))}}"}""",
        // not an instant
        """{"name":"sleep","args":{"ms":1},"runAt":"tomorrow"}""",
        """{"name":"sleep","args":{"ms":1},"runAt":1767225600}""",
        // a local time without its offset
        """{"name":"sleep","args":{"ms":1},"runAt":"2030-01-01T00:00:00"}""",
    };

    [Theory]
    [MemberData(nameof(BadRunAts))]
    public async Task A_bad_run_at_is_a_problem_naming_run_at(string body)
    {
        var response = await PostJsonAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("runAt:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("runAt", out _), problem.GetRawText());
    }
}
