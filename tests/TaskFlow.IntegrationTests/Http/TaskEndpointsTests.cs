using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class TaskEndpointsTests(ApiFactory factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonElement> WaitForStatusAsync(Uri location, params string[] statuses) =>
        await Eventually.WaitAsync(
            async () => await _http.GetFromJsonAsync<JsonElement>(location),
            r => statuses.Contains(r.GetProperty("status").GetString()),
            Patience, $"{location} to reach {string.Join(" or ", statuses)}");

    [Fact]
    public async Task Post_answers_202_with_the_stored_record_and_its_location_and_the_record_reaches_success()
    {
        var response = await PostJsonAsync("/tasks",
            """{"name":"send_welcome_email","args":{"address":"a@b.c"},"priority":5,"tags":{"team":"growth"}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("taskId").GetString()!;
        Assert.Equal(Guid.Parse(id).ToString("D"), id);
        Assert.Equal($"/tasks/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("pending", accepted.GetProperty("status").GetString());

        var record = await WaitForStatusAsync(response.Headers.Location!, "success");

        string[] expectedFields =
        [
            "taskId", "name", "status", "priority", "source", "scheduleName", "replayOf", "createdAt", "startedAt", "endedAt",
            "duration", "retriesUsed", "maxRetries", "nextAttemptAt", "error", "errorType", "idempotencyKey", "tags", "progress",
            "traceId", "after", "afterPolicy", "continuations", "batchId", "afterBatch", "args", "attempts", "logs",
        ];
        Assert.Equal(expectedFields, record.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, record.GetProperty("taskId").GetString());
        Assert.Equal("send_welcome_email", record.GetProperty("name").GetString());
        Assert.Equal(5, record.GetProperty("priority").GetInt32());
        Assert.Equal("api", record.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("scheduleName").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("replayOf").ValueKind);
        Assert.Matches("^[0-9a-f]{32}$", record.GetProperty("traceId").GetString());
        foreach (var stamp in new[] { "createdAt", "startedAt", "endedAt" })
        {
            var text = record.GetProperty(stamp).GetString()!;
            Assert.EndsWith("Z", text, StringComparison.Ordinal);
            Assert.True(DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _), text);
        }
        var started = record.GetProperty("startedAt").GetDateTimeOffset();
        var ended = record.GetProperty("endedAt").GetDateTimeOffset();
        Assert.Equal((ended - started).TotalSeconds, record.GetProperty("duration").GetDouble(), 3);
        Assert.Equal(0, record.GetProperty("retriesUsed").GetInt32());
        Assert.Equal(3, record.GetProperty("maxRetries").GetInt32());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("errorType").ValueKind);
        Assert.Equal("growth", record.GetProperty("tags").GetProperty("team").GetString());
        Assert.Equal("a@b.c", record.GetProperty("args").GetProperty("address").GetString());
        var attempt = Assert.Single(record.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("attempt").GetInt32());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("stackTrace").ValueKind);
        var log = Assert.Single(record.GetProperty("logs").EnumerateArray());
        Assert.Equal("info", log.GetProperty("level").GetString());
        Assert.Equal("Sent the welcome email to a@b.c", log.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_failing_task_shows_its_error_type_and_the_stack_trace_only_in_its_attempts()
    {
        var response = await PostJsonAsync("/tasks", """{"name":"fail","args":{"message":"<script>alert(1)</script>"}}""");

        var record = await WaitForStatusAsync(response.Headers.Location!, "failed");

        Assert.Equal("<script>alert(1)</script>", record.GetProperty("error").GetString());
        Assert.Equal("InvalidOperationException", record.GetProperty("errorType").GetString());
        Assert.Contains("FailTask", record.GetProperty("attempts")[0].GetProperty("stackTrace").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_idempotency_key_answers_200_with_the_existing_record()
    {
        var body = $$"""{"name":"sleep","args":{"ms":100},"idempotencyKey":"k-{{Guid.NewGuid()}}"}""";

        var first = await PostJsonAsync("/tasks", body);
        var second = await PostJsonAsync("/tasks", body);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("taskId").GetString(), b.GetProperty("taskId").GetString());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
    }

    [Fact]
    public async Task A_delayed_task_is_pending_with_next_attempt_at()
    {
        var response = await PostJsonAsync("/tasks", """{"name":"send_welcome_email","args":{"address":"a@b.c"},"delaySeconds":60}""");

        var record = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", record.GetProperty("status").GetString());
        var due = record.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.InRange((due - record.GetProperty("createdAt").GetDateTimeOffset()).TotalSeconds, 59.9, 60.1);

        var cancelled = await _http.PostAsync($"/tasks/{record.GetProperty("taskId").GetString()}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    public static TheoryData<string, string, int, string> BadBodies => new()
    {
        { "application/json", """{"name":"no_such_task","args":{}}""", 400, "name" },
        { "application/json", """{"args":{}}""", 400, "name" },
        { "application/json", """{"name":42}""", 400, "name" },
        { "application/json", """{"name":"send_welcome_email","args":{}}""", 400, "args.address" },
        { "application/json", """{"name":"send_welcome_email","args":{"address":7}}""", 400, "args.address" },
        { "application/json", """{"name":"send_welcome_email","args":{"address":"not an email"}}""", 400, "args.address" },
        { "application/json", """{"name":"generate_monthly_report","args":{"month":"may"}}""", 400, "args.month" },
        { "application/json", """{"name":"generate_monthly_report","args":{"month":4,"extra":1}}""", 400, "args.extra" },
        { "application/json", """{"name":"send_welcome_email","args":"a@b.c"}""", 400, "args" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"priority":"high"}""", 400, "priority" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"priority":1.5}""", 400, "priority" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"delaySeconds":-1}""", 400, "delaySeconds" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"tags":{"a":1}}""", 400, "tags.a" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"idempotencyKey":""}""", 400, "idempotencyKey" },
        { "application/json", """{"name":"sleep","args":{"ms":1},"priorty":3}""", 400, "priorty" },
        { "application/json", """{"name":"sleep","args":{"ms":1}""", 400, "body" },
        { "application/json", "not json at all", 400, "body" },
        { "application/json", "[1,2,3]", 400, "body" },
        { "application/json", "", 400, "body" },
        { "text/plain", """{"name":"sleep","args":{"ms":1}}""", 415, "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_problem_naming_the_field_never_a_500(string contentType, string body, int status, string field)
    {
        var response = await _http.PostAsync("/tasks", new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith(field + ":", detail, StringComparison.Ordinal);
        if (status == 400) Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
        Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var huge = new string('x', 2 * 1024 * 1024);
        var response = await PostJsonAsync("/tasks", """{"name":"fail","args":{"message":" """ + huge + "\"}}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("body:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("5b0e2f1c-0000-4000-8000-00000000000")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public async Task An_unknown_or_malformed_id_is_404(string id)
    {
        var response = await _http.GetAsync($"/tasks/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync($"/tasks/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_finished_task_is_409()
    {
        var response = await PostJsonAsync("/tasks", """{"name":"fail","args":{"message":"x"}}""");
        await WaitForStatusAsync(response.Headers.Location!, "failed");

        var cancel = await _http.PostAsync($"{response.Headers.Location}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
    }

    [Fact]
    public async Task The_registry_lists_every_demo_task_with_its_options()
    {
        var registry = await _http.GetFromJsonAsync<JsonElement>("/tasks/registry");

        var byName = registry.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(["send_welcome_email", "send_otp", "generate_monthly_report", "sleep", "flaky", "fail", "sync_exchange_rates", "send_daily_digest"], byName.Keys);
        var email = byName["send_welcome_email"];
        Assert.Equal(3, email.GetProperty("retries").GetInt32());
        Assert.Equal(1, email.GetProperty("delaySeconds").GetDouble());
        Assert.Equal(2, email.GetProperty("backoff").GetDouble());
        Assert.Equal(9, byName["send_otp"].GetProperty("priority").GetInt32());
        Assert.False(byName["sleep"].GetProperty("requeueOnInterrupt").GetBoolean());
    }

    [Fact]
    public async Task Signup_enqueues_a_welcome_email()
    {
        var response = await _http.PostAsync("/signup?email=new@user.io", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString();
        var record = await WaitForStatusAsync(new Uri($"/tasks/{id}", UriKind.Relative), "success");
        Assert.Equal("send_welcome_email", record.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync("/signup", null)).StatusCode);
        var invalid = await _http.PostAsync("/signup?email=not-an-address", null);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("email", out _));
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        var ready = await _http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private async Task AssertStillServingAsync() =>
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/tasks/registry")).StatusCode);
}
