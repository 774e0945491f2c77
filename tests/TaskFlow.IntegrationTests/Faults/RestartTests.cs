using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class RestartTests : IDisposable
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
    public async Task Twenty_finished_tasks_read_back_identically_after_a_restart()
    {
        var records = new Dictionary<Guid, string>();
        string listBefore;
        await using (var first = await ApiHost.StartAsync(Settings()))
        {
            var ids = new List<Guid>();
            for (var i = 0; i < 20; i++)
            {
                ids.Add(i switch
                {
                    < 8 => await first.EnqueueAsync("send_welcome_email", new { address = $"user{i}@b.c" }),
                    < 12 => await first.EnqueueAsync("flaky", new { failTimes = 1 }),
                    < 16 => await first.EnqueueAsync("fail", new { message = $"failure {i}" }),
                    _ => await first.EnqueueAsync("generate_monthly_report", new { month = i - 15, durationMs = 20 }),
                });
            }
            foreach (var id in ids)
            {
                var record = await Eventually.WaitAsync(() => first.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id}"),
                    r => r.GetProperty("status").GetString() is "success" or "failed", TimeSpan.FromSeconds(30), $"task {id}");
                records[id] = record.GetRawText();
            }
            listBefore = await first.Http.GetStringAsync("/tasks?limit=20");
        }

        await using var second = await ApiHost.StartAsync(Settings());
        foreach (var (id, before) in records)
            Assert.Equal(before, await second.Http.GetStringAsync($"/tasks/{id}"));
        Assert.Equal(listBefore, await second.Http.GetStringAsync("/tasks?limit=20"));
    }
}
