using Npgsql;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>The crash scenario on a cluster deployment: a standalone Silo on PostgreSQL runs the tasks that a Client-mode
/// Api enqueues; the Silo is SIGKILLed mid-run and started again on the same database.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class PostgresCrashTests(PostgresServer server, ITestOutputHelper output) : CrashScenario(output), IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly int _siloPort = FreePort.Next();
    private readonly int _gatewayPort = FreePort.Next();
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync();

    public Task DisposeAsync() => server.DropDatabaseAsync(_connectionString);

    [Fact]
    public Task A_hard_kill_of_the_standalone_silo_loses_nothing_and_reruns_nothing_that_succeeded() => RunAsync();

    protected override async Task<CrashRun> StartAsync(string ledger)
    {
        var settings = new Dictionary<string, string>
        {
            ["TaskFlow__Storage__Provider"] = "Postgres",
            ["TaskFlow__Storage__ConnectionString"] = _connectionString,
            ["TaskFlow__MaxConcurrency"] = "10",
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(_siloPort),
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(_gatewayPort),
            ["TaskFlow__Demo__LedgerPath"] = ledger,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        var silo = HostProcess.Start("Silo", settings);
        await silo.WaitForOutputAsync("Application started", StartTimeout);
        Assert.False(silo.HasExited, silo.Output);

        var api = await ApiHost.StartAsync(new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__Mode"] = "Client" });
        return new CrashRun(api, silo, silo);
    }

    protected override async Task<Dictionary<Guid, string>> ReadStatusesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT task_id, status FROM taskflow.tasks WHERE source <> 'scheduled'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new Dictionary<Guid, string>();
        while (await reader.ReadAsync()) statuses[reader.GetGuid(0)] = reader.GetString(1);
        return statuses;
    }
}
