using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>A continuation, and a batch's then task, waiting when their host stops: after the restart they register again
/// from their stored state and run once what they wait for (due after the restart) has ended.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ContinuationRestartTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string> Settings() => new()
    {
        ["TaskFlow__Storage__Provider"] = "Sqlite",
        ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task A_chain_waiting_across_a_restart_runs_in_order_afterwards()
    {
        string parent, child, grandchild;
        await using (var first = await ApiHost.StartAsync(Settings()))
        {
            parent = await PostAsync(first, new { name = "send_welcome_email", args = new { address = "p@b.c" }, delaySeconds = 6 });
            child = await PostAsync(first, new { name = "send_welcome_email", args = new { address = "c@b.c" }, after = new[] { parent } });
            grandchild = await PostAsync(first, new { name = "send_welcome_email", args = new { address = "g@b.c" }, after = new[] { child } });
            var stored = await first.Http.GetFromJsonAsync<JsonElement>($"/tasks/{grandchild}");
            Assert.Equal("awaiting", stored.GetProperty("status").GetString());
        }

        await using var second = await ApiHost.StartAsync(Settings());
        var records = new List<JsonElement>();
        foreach (var id in new[] { parent, child, grandchild })
        {
            records.Add(await Eventually.WaitAsync(() => second.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
                r => r.GetProperty("status").GetString() == "success", TimeSpan.FromSeconds(60), $"task {id} to succeed"));
        }
        Assert.True(records[1].GetProperty("startedAt").GetDateTime() >= records[0].GetProperty("endedAt").GetDateTime());
        Assert.True(records[2].GetProperty("startedAt").GetDateTime() >= records[1].GetProperty("endedAt").GetDateTime());
    }

    [Fact]
    public async Task A_batch_waiting_across_a_restart_counts_its_members_and_runs_its_then_task_once_afterwards()
    {
        JsonElement created;
        await using (var first = await ApiHost.StartAsync(Settings()))
        {
            var tasks = Enumerable.Range(0, 5).Select(i => new { name = "send_otp", args = new { phone = $"+155501{i:00}" }, delaySeconds = i < 2 ? 0 : 6 });
            var response = await first.Http.PostAsync("/tasks/batches", new StringContent(
                JsonSerializer.Serialize(new { tasks, then = new { name = "send_welcome_email", args = new { address = "then@b.c" } } }, JsonSerializerOptions.Web),
                Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            created = await response.Content.ReadFromJsonAsync<JsonElement>();
            var batchId = created.GetProperty("batchId").GetString();
            await Eventually.WaitAsync(() => first.Http.GetFromJsonAsync<JsonElement>($"/tasks/batches/{batchId}"),
                b => b.GetProperty("counts").TryGetProperty("success", out var n) && n.GetInt32() == 2, TimeSpan.FromSeconds(30), "the two undelayed members");
        }

        await using var second = await ApiHost.StartAsync(Settings());
        var thenId = created.GetProperty("thenTaskId").GetString();
        var then = await Eventually.WaitAsync(() => second.Http.GetFromJsonAsync<JsonElement>($"/tasks/{thenId}"),
            r => r.GetProperty("status").GetString() == "success", TimeSpan.FromSeconds(60), "the then task to succeed");
        var batch = await second.Http.GetFromJsonAsync<JsonElement>($"/tasks/batches/{created.GetProperty("batchId").GetString()}");

        Assert.True(batch.GetProperty("done").GetBoolean());
        Assert.Equal(5, batch.GetProperty("counts").GetProperty("success").GetInt32());
        Assert.Single(then.GetProperty("attempts").EnumerateArray());
        foreach (var id in created.GetProperty("taskIds").EnumerateArray())
        {
            var member = await second.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id.GetString()}");
            Assert.True(then.GetProperty("startedAt").GetDateTime() >= member.GetProperty("endedAt").GetDateTime());
        }
    }

    private static async Task<string> PostAsync(ApiHost host, object body)
    {
        var response = await host.Http.PostAsync("/tasks", new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;
    }
}
