using Microsoft.Data.Sqlite;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>The crash scenario on the embedded default: the Api host on a SQLite file, SIGKILLed and restarted.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class SqliteCrashTests(ITestOutputHelper output) : CrashScenario(output)
{

    [Fact]
    public Task A_hard_kill_of_the_embedded_host_loses_nothing_and_reruns_nothing_that_succeeded() => RunAsync();

    protected override async Task<CrashRun> StartAsync(string ledger)
    {
        var api = await ApiHost.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Storage__Provider"] = "Sqlite",
            ["TaskFlow__Storage__ConnectionString"] = Directory.Sqlite(),
            ["TaskFlow__MaxConcurrency"] = "10",
            ["TaskFlow__Demo__LedgerPath"] = ledger,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        return new CrashRun(api, api.Process);
    }

    protected override async Task<Dictionary<Guid, string>> ReadStatusesAsync()
    {
        await using var connection = new SqliteConnection(Directory.Sqlite() + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, status FROM tasks WHERE source <> 'scheduled'";
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new Dictionary<Guid, string>();
        while (await reader.ReadAsync()) statuses[Guid.Parse(reader.GetString(0))] = reader.GetString(1);
        return statuses;
    }
}
