using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>Standalone silos and API nodes on one PostgreSQL database, run as child processes, and what the tests ask
/// of them.</summary>
internal static class ProcessCluster
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public static Dictionary<string, string> PostgresSettings(string connectionString) => new()
    {
        ["TaskFlow__Storage__Provider"] = "Postgres",
        ["TaskFlow__Storage__ConnectionString"] = connectionString,
    };

    public static HostProcess StartSilo(Dictionary<string, string> settings, int siloPort) =>
        HostProcess.Start("Silo", new Dictionary<string, string>(settings)
        {
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(siloPort),
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(FreePort.Next()),
        });

    public static async Task<List<Guid>> EnqueueAsync(ApiHost api, int count, string round)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
            ids.Add(await api.EnqueueAsync("send_welcome_email", new { address = $"{round}-{i}@example.com" }));
        return ids;
    }

    public static async Task ExpectAllSucceededAsync(ApiHost api, List<Guid> ids)
    {
        var statuses = await Eventually.WaitAsync(async () =>
            {
                var all = new List<string>();
                foreach (var id in ids)
                {
                    var record = await api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id:D}");
                    all.Add(record.GetProperty("status").GetString()!);
                }
                return all;
            },
            all => all.All(s => s is "success" or "failed" or "interrupted" or "cancelled"),
            RunTimeout, "every task to finish");
        Assert.All(statuses, s => Assert.Equal("success", s));
    }

    public static Task WaitForActiveSilosAsync(string connectionString, int count) =>
        Eventually.WaitAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3", connection);
                return (long)(await command.ExecuteScalarAsync())!;
            },
            active => active == count, StartTimeout, $"{count} active silos in the membership table");

    public static async Task<int?> StatusOfAsync(string connectionString, int siloPort)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT Status FROM OrleansMembershipTable WHERE Port = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = siloPort });
        return await command.ExecuteScalarAsync() is int status ? status : null;
    }
}
