using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>A continuation waiting when its host stops: after the restart it registers again from its stored state and
/// runs once its parent (due after the restart) has succeeded.</summary>
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

    private static async Task<string> PostAsync(ApiHost host, object body)
    {
        var response = await host.Http.PostAsync("/tasks", new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;
    }
}
