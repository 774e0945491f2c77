using System.Text.Json;
using System.Net.Http.Json;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>The Api as shipped (its appsettings.json, Production) prints a short start-up and no line per task: a
/// console that grows with the work hides what someone must act on.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class QuietLogTests : IDisposable
{
    private const int Tasks = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_shipped_api_starts_in_few_lines_and_prints_no_line_per_task()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        });
        await api.Process.WaitForOutputAsync("Application started", Patience);
        var startup = Lines(api.Process.Output);
        var started = startup.FindIndex(l => l.Contains("Application started", StringComparison.Ordinal));
        Assert.True(started >= 0, api.Process.Output);
        Assert.True(started + 1 <= 20, $"{started + 1} lines up to 'Application started':\n{api.Process.Output}");

        var before = Lines(api.Process.Output).Count;
        var ids = new List<Guid>();
        for (var i = 0; i < Tasks; i++) ids.Add(await api.EnqueueAsync("send_welcome_email", new { address = "a@example.com" }));
        // They ran: every one of them, not just some (the handler logs at Information, kept in the task's record).
        await Eventually.WaitAsync(() => api.MetricsAsync(), m => m.GetProperty("success").GetInt32() == Tasks, Patience,
            $"{Tasks} tasks to succeed");
        var record = await api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{ids[^1]}");
        Assert.Contains(record.GetProperty("logs").EnumerateArray(), l => l.GetProperty("message").GetString()!.Contains("a@example.com"));

        // A marker that does print (a task that fails for good is a warning): once it is out, everything the 200
        // tasks made the console print is out too, since the console logger writes in order.
        var marker = await api.EnqueueAsync("fail", new { message = "quiet-logs-marker" });
        await api.Process.WaitForOutputAsync(marker.ToString(), Patience);

        var added = Lines(api.Process.Output).Skip(before).ToList();
        var at = added.FindIndex(l => l.Contains(marker.ToString(), StringComparison.Ordinal));
        var others = added.Where((_, i) => i != at && i != at - 1).ToList();   // the marker's header and message lines
        Assert.True(others.Count < 10, $"{Tasks} tasks added {others.Count} lines:\n{string.Join('\n', added)}");
    }

    private static List<string> Lines(string output) =>
        [.. output.Split(Environment.NewLine).Where(l => l.Length > 0)];
}
