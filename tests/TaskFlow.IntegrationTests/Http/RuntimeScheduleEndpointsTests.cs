using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary><c>POST</c>, <c>PUT</c> and <c>DELETE /tasks/schedules</c> (docs/API.md, Endpoints): every answer, and a
/// runtime schedule firing the task it names with its args.</summary>
[Collection(ApiCollection.Name)]
public sealed class RuntimeScheduleEndpointsTests(ApiFactory factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewName() => "rt_" + Guid.NewGuid().ToString("N")[..12];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> CreateAsync(string json) => _http.PostAsync("/tasks/schedules", Json(json));

    private async Task<JsonElement?> ListedAsync(string name) =>
        (await _http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray()
            .Where(s => s.GetProperty("name").GetString() == name).Select(s => (JsonElement?)s).SingleOrDefault();

    private async Task<List<JsonElement>> FiredAsync(string name) =>
        (await _http.GetFromJsonAsync<JsonElement>($"/tasks?source=scheduled&limit=500")).GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("scheduleName").GetString() == name).ToList();

    private async Task<List<string?>> AuditAsync(string name) =>
        [.. (await _http.GetFromJsonAsync<JsonElement>("/tasks/audit")).EnumerateArray()
            .Where(e => e.GetProperty("detail").GetString() == $"schedule {name}").Select(e => e.GetProperty("action").GetString())];

    [Fact]
    public async Task A_schedule_created_at_runtime_is_listed_fires_its_task_with_its_args_and_is_replaced_then_deleted()
    {
        var name = NewName();

        var created = await CreateAsync($$"""{"name":"{{name}}","task":"send_welcome_email","args":{"address":"rt@example.com"},"every":1}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        string[] fields =
        [
            "name", "every", "cron", "timeZone", "nextRunAt", "lastRunAt", "lastTaskId", "lastStatus", "paused", "task", "args", "source",
            "misfire", "overlap",
        ];
        Assert.Equal(fields, body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("send_welcome_email", body.GetProperty("task").GetString());
        Assert.Equal("rt@example.com", body.GetProperty("args").GetProperty("address").GetString());
        Assert.Equal("runtime", body.GetProperty("source").GetString());
        Assert.Equal(1, body.GetProperty("every").GetDouble());
        Assert.Equal("fireOnce", body.GetProperty("misfire").GetString());
        Assert.Equal("runtime", (await ListedAsync(name))!.Value.GetProperty("source").GetString());

        var fired = await Eventually.WaitAsync(() => FiredAsync(name), f => f.Count >= 2, Patience, $"{name} to fire twice");
        Assert.All(fired, t => Assert.Equal("send_welcome_email", t.GetProperty("name").GetString()));
        var task = await _http.GetFromJsonAsync<JsonElement>($"/tasks/{fired[0].GetProperty("taskId").GetString()}");
        Assert.Equal("rt@example.com", task.GetProperty("args").GetProperty("address").GetString());

        var replaced = await _http.PutAsync($"/tasks/schedules/{name}", Json("""{"task":"sleep","args":{"ms":1},"cron":"0 9 * * 1-5","timeZone":"Europe/Paris","overlap":"skip"}"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var after = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sleep", after.GetProperty("task").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("every").ValueKind);
        Assert.Equal("0 9 * * 1-5", after.GetProperty("cron").GetString());
        Assert.Equal("Europe/Paris", after.GetProperty("timeZone").GetString());
        Assert.Equal("skip", after.GetProperty("overlap").GetString());
        Assert.Equal("sleep", (await ListedAsync(name))!.Value.GetProperty("task").GetString());

        var deleted = await _http.DeleteAsync($"/tasks/schedules/{name}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await ListedAsync(name));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.DeleteAsync($"/tasks/schedules/{name}")).StatusCode);
        Assert.Equal(["delete-schedule", "update-schedule", "create-schedule"], await AuditAsync(name));
    }

    [Fact]
    public async Task Several_schedules_may_fire_the_same_task()
    {
        var (first, second) = (NewName(), NewName());
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync($$"""{"name":"{{first}}","task":"sleep","args":{"ms":1},"every":1}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync($$"""{"name":"{{second}}","task":"sleep","args":{"ms":2},"every":1}""")).StatusCode);

        await Eventually.WaitAsync(() => FiredAsync(first), f => f.Count > 0, Patience, $"{first} to fire");
        await Eventually.WaitAsync(() => FiredAsync(second), f => f.Count > 0, Patience, $"{second} to fire");

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/tasks/schedules/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/tasks/schedules/{second}")).StatusCode);
    }

    [Fact]
    public async Task A_taken_name_is_409_whether_runtime_or_code()
    {
        var name = NewName();
        var body = $$"""{"name":"{{name}}","task":"sleep","args":{"ms":1},"every":3600}""";
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(body)).StatusCode);

        var again = await CreateAsync(body);
        var code = await CreateAsync("""{"name":"sync_exchange_rates","task":"sleep","args":{"ms":1},"every":3600}""");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.StartsWith("name:", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, code.StatusCode);
        Assert.Equal("code", (await ListedAsync("sync_exchange_rates"))!.Value.GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/tasks/schedules/{name}")).StatusCode);
    }

    [Fact]
    public async Task A_schedule_defined_in_code_cannot_be_replaced_or_deleted_and_an_unknown_one_is_404()
    {
        var delete = await _http.DeleteAsync("/tasks/schedules/sync_exchange_rates");
        var replace = await _http.PutAsync("/tasks/schedules/sync_exchange_rates", Json("""{"task":"sleep","args":{"ms":1},"every":5}"""));
        var unknown = await _http.PutAsync("/tasks/schedules/no_such_schedule", Json("""{"task":"sleep","args":{"ms":1},"every":5}"""));

        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("pause it instead", (await delete.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, replace.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(300, (await ListedAsync("sync_exchange_rates"))!.Value.GetProperty("every").GetDouble());
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"name":"bad","task":"sleep","cron":"61 * * * *"}""", "cron" },
        { """{"name":"bad","task":"sleep","cron":"0 9 * * *","timeZone":"Mars/Olympus_Mons"}""", "timeZone" },
        { """{"name":"bad","task":"no_such_task","every":60}""", "task" },
        { """{"name":"bad","task":"send_welcome_email","args":{"address":"not an email"},"every":60}""", "args.address" },
        { """{"name":"bad","task":"send_welcome_email","every":60}""", "args.address" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":60,"cron":"0 9 * * *"}""", "cron" },
        { """{"name":"bad","task":"sleep"}""", "every" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":0}""", "every" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":"60"}""", "every" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":60,"misfire":"later"}""", "misfire" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":60,"overlap":"queue"}""", "overlap" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":60,"timeZone":"UTC"}""", "timeZone" },
        { """{"name":"bad one","task":"sleep","args":{"ms":1},"every":60}""", "name" },
        { """{"task":"sleep","args":{"ms":1},"every":60}""", "name" },
        { """{"name":"bad","every":60}""", "task" },
        { """{"name":"bad","task":"sleep","args":{"ms":1},"every":60,"evry":1}""", "evry" },
        { "[]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_400_naming_the_field_and_creates_nothing(string body, string field)
    {
        var response = await CreateAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Null(await ListedAsync("bad"));
    }

    [Fact]
    public async Task A_replace_with_bad_input_is_400_and_keeps_the_schedule()
    {
        var name = NewName();
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync($$"""{"name":"{{name}}","task":"sleep","args":{"ms":1},"every":3600}""")).StatusCode);

        var response = await _http.PutAsync($"/tasks/schedules/{name}", Json("""{"task":"sleep","args":{"ms":1},"cron":"not cron"}"""));
        var renamed = await _http.PutAsync($"/tasks/schedules/{name}", Json("""{"name":"other","task":"sleep","args":{"ms":1},"every":60}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Equal(3600, (await ListedAsync(name))!.Value.GetProperty("every").GetDouble());
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/tasks/schedules/{name}")).StatusCode);
    }

    [Fact]
    public async Task A_runtime_schedule_is_paused_and_triggered_like_one_of_code()
    {
        var name = NewName();
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync($$"""{"name":"{{name}}","task":"sleep","args":{"ms":1},"every":3600}""")).StatusCode);

        var paused = await _http.PostAsync($"/tasks/schedules/{name}/pause", null);
        var trigger = await _http.PostAsync($"/tasks/schedules/{name}/trigger", null);

        Assert.True((await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paused").GetBoolean());
        var id = (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString();
        var task = await _http.GetFromJsonAsync<JsonElement>($"/tasks/{id}");
        Assert.Equal("sleep", task.GetProperty("name").GetString());
        Assert.Equal(name, task.GetProperty("scheduleName").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/tasks/schedules/{name}")).StatusCode);
    }
}
