using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>The database goes away mid-run and comes back: enqueue answers 503 meanwhile, attempts that finished during
/// the outage are stored once it returns, and nothing acknowledged is lost.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class DatabaseOutageTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task A_database_outage_answers_503_and_loses_nothing_acknowledged()
    {
        Assert.True(server.OwnsServer, "this test stops and starts the PostgreSQL server, so it needs one the test run started");
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            await using var api = await ApiHost.StartAsync(new Dictionary<string, string>
            {
                ["TaskFlow__Storage__Provider"] = "Postgres",
                ["TaskFlow__Storage__ConnectionString"] = connectionString + ";Timeout=3;Command Timeout=5",
                ["TaskFlow__MaxConcurrency"] = "10",
                ["Logging__LogLevel__Default"] = "Warning",
            });

            var ids = new List<Guid>();
            for (var i = 0; i < 150; i++) ids.Add(await api.EnqueueAsync("sleep", new { ms = 100 + i % 5 * 50 }));
            await Eventually.WaitAsync(api.MetricsAsync, m => m.GetProperty("success").GetInt64() >= 30, TimeSpan.FromSeconds(60),
                "some tasks to finish");

            await server.StopServerAsync();
            var refused = await api.Http.PostAsync("/tasks", new StringContent("""{"name":"sleep","args":{"ms":1}}""", Encoding.UTF8, "application/json"));
            output.WriteLine($"enqueue during the outage: {(int)refused.StatusCode}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            await server.StartServerAsync();

            Dictionary<Guid, string> statuses;
            try
            {
                statuses = await Eventually.WaitAsync(() => StatusesAsync(connectionString, ids),
                    s => s.Count == ids.Count && s.Values.All(v => v is "success" or "failed" or "interrupted" or "cancelled"),
                    TimeSpan.FromSeconds(60), "every acknowledged task to end after the database returned");
            }
            catch (TimeoutException)
            {
                var last = await StatusesAsync(connectionString, ids);
                output.WriteLine($"stuck: {last.Count} rows; " + string.Join(", ", last.Values.GroupBy(v => v).Select(g => $"{g.Key}: {g.Count()}")));
                output.WriteLine(string.Join("\n", api.Process.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("xception")).Take(40)));
                throw;
            }
            output.WriteLine(string.Join(", ", statuses.Values.GroupBy(v => v).Select(g => $"{g.Key}: {g.Count()}")));
            Assert.All(statuses.Values, v => Assert.Equal("success", v));
        }
        finally
        {
            if (server.OwnsServer) await server.StartServerAsync().ContinueWith(_ => { }, TaskScheduler.Default);
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<Dictionary<Guid, string>> StatusesAsync(string connectionString, List<Guid> ids)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT task_id, status FROM taskflow.tasks WHERE task_id = ANY(@ids)", connection);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            var statuses = new Dictionary<Guid, string>();
            while (await reader.ReadAsync()) statuses[reader.GetGuid(0)] = reader.GetString(1);
            return statuses;
        }
        catch (NpgsqlException)
        {
            return [];
        }
    }
}
