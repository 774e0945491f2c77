using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>The heartbeat demo as a user runs it, and a schedule removed from code being retired at the next start.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ScheduleHostTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string> Settings(int heartbeatSeconds) => new()
    {
        ["TaskFlow__Storage__Provider"] = "Sqlite",
        ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
        ["TaskFlow__Demo__HeartbeatSeconds"] = heartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static async Task<List<JsonElement>> HeartbeatsAsync(ApiHost api) =>
        (await api.Http.GetFromJsonAsync<JsonElement>("/tasks?source=scheduled&name=heartbeat&limit=500"))
            .GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task The_heartbeat_fires_every_second_and_is_retired_once_removed_from_the_configuration()
    {
        await using (var api = await ApiHost.StartAsync(Settings(heartbeatSeconds: 1)))
        {
            var beats = await Eventually.WaitAsync(() => HeartbeatsAsync(api), b => b.Count >= 4, TimeSpan.FromSeconds(30), "four heartbeats");
            Assert.All(beats, b => Assert.Equal("heartbeat", b.GetProperty("scheduleName").GetString()));
            var occurrences = beats.Select(b => b.GetProperty("tags").GetProperty("occurrence").GetDateTimeOffset()).Order().ToList();
            Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
            Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
            Assert.Single((await api.Http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray(),
                s => s.GetProperty("name").GetString() == "heartbeat");
        }
        Assert.True(HeartbeatStateExists(), "the heartbeat schedule's state is stored while it is registered");

        await using (var api = await ApiHost.StartAsync(Settings(heartbeatSeconds: 0)))
        {
            await Eventually.WaitAsync(() => Task.FromResult(HeartbeatStateExists()), exists => !exists, TimeSpan.FromSeconds(30),
                "the removed heartbeat schedule to be retired");
            Assert.DoesNotContain((await api.Http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray(),
                s => s.GetProperty("name").GetString() == "heartbeat");
        }
    }

    private bool HeartbeatStateExists()
    {
        using var connection = new SqliteConnection(_directory.Sqlite() + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM grain_state WHERE grain_type LIKE 'taskflow.schedule/%' AND grain_key = 'heartbeat'";
        return (long)command.ExecuteScalar()! > 0;
    }
}
