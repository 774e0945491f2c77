using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed class ScheduleEndpointsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_demo_schedules_are_listed_with_their_timing()
    {
        var schedules = (await _http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!);

        var rates = schedules["sync_exchange_rates"];
        Assert.Equal(300, rates.GetProperty("every").GetDouble());
        Assert.Equal(JsonValueKind.Null, rates.GetProperty("cron").ValueKind);
        var digest = schedules["send_daily_digest"];
        Assert.Equal("0 9 * * 1-5", digest.GetProperty("cron").GetString());
        Assert.Equal("America/New_York", digest.GetProperty("timeZone").GetString());
        var next = digest.GetProperty("nextRunAt").GetDateTimeOffset();
        Assert.True(next > DateTimeOffset.UtcNow);
        Assert.Contains(next.UtcDateTime.Hour, new[] { 13, 14 });
        string[] fields =
        [
            "name", "every", "cron", "timeZone", "nextRunAt", "lastRunAt", "lastTaskId", "lastStatus", "paused", "task", "args", "source",
            "misfire", "overlap",
        ];
        Assert.Equal(fields, digest.EnumerateObject().Select(p => p.Name));
        Assert.Equal("send_daily_digest", digest.GetProperty("task").GetString());
        Assert.Equal("code", digest.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Trigger_fires_a_scheduled_task_now_and_the_schedule_shows_it_as_its_last_run()
    {
        var response = await _http.PostAsync("/tasks/schedules/send_daily_digest/trigger", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;
        var record = await Eventually.WaitAsync(() => _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
            r => r.GetProperty("status").GetString() == "success", TimeSpan.FromSeconds(30), "the digest to run");
        Assert.Equal("scheduled", record.GetProperty("source").GetString());
        Assert.Equal("send_daily_digest", record.GetProperty("scheduleName").GetString());
        var schedule = (await _http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "send_daily_digest");
        Assert.Equal(id, schedule.GetProperty("lastTaskId").GetString());
        Assert.Equal("success", schedule.GetProperty("lastStatus").GetString());

        var audit = await _http.GetFromJsonAsync<JsonElement>("/tasks/audit");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "trigger" &&
                                                     e.GetProperty("taskIds").EnumerateArray().Any(t => t.GetString() == id));
    }

    [Fact]
    public async Task Pause_and_resume_are_kept_and_audited()
    {
        var paused = await _http.PostAsync("/tasks/schedules/sync_exchange_rates/pause", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var body = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("nextRunAt").ValueKind);

        var listed = (await _http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "sync_exchange_rates");
        Assert.True(listed.GetProperty("paused").GetBoolean());

        var resumed = await (await _http.PostAsync("/tasks/schedules/sync_exchange_rates/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, resumed.GetProperty("nextRunAt").ValueKind);

        var actions = (await _http.GetFromJsonAsync<JsonElement>("/tasks/audit")).EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).Take(2).ToList();
        Assert.Equal(["resume", "pause"], actions);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("trigger")]
    public async Task An_unknown_schedule_is_404(string action)
    {
        var response = await _http.PostAsync($"/tasks/schedules/no_such_schedule/{action}", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
