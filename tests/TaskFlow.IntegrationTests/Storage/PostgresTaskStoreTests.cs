using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>The store contract on a fresh PostgreSQL database per test, plus what only PostgreSQL has: the versioned
/// schema and a server that can be down or silent.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class PostgresTaskStoreTests(PostgresServer server) : SqlTaskStoreContractTests
{
    private string _connectionString = "";

    protected override async Task<ITaskStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        var store = new PostgresTaskStore(_connectionString, NullLogger<PostgresTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override long CommitsOf(ITaskStore store) => ((PostgresTaskStore)store).Commits;

    protected override async Task InsertUnreadableRowAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO taskflow.tasks (task_id, name, status, priority, source, created_at, ended_at, attempts, etag, state)
            VALUES (gen_random_uuid(), 'x', 'failed', 0, 'api', 0, 0, 0, 1, '{ this is not json')
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override (ITaskStore Store, string Where) CreateUnreachableStore()
    {
        // A port nothing listens on: the database is down.
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        return (new PostgresTaskStore($"Host=127.0.0.1;Port={port};Database=taskflow;Username=taskflow", NullLogger<PostgresTaskStore>.Instance),
            $"127.0.0.1:{port}/taskflow");
    }

    protected override Task DeleteDatabaseAsync() =>
        _connectionString.Length == 0 ? Task.CompletedTask : server.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_initialization_within_the_connect_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        await using var store = new PostgresTaskStore($"Host=127.0.0.1;Port={port};Database=taskflow;Username=taskflow;Timeout=2", NullLogger<PostgresTaskStore>.Instance);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_writer_recovers_from_a_lost_connection_and_only_the_group_in_flight_fails()
    {
        var store = new PostgresTaskStore(_connectionString, NullLogger<PostgresTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        await store.WriteTaskAsync(NewState(), null);

        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", connection);
            kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = new NpgsqlConnectionStringBuilder(_connectionString).Database! });
            await kill.ExecuteNonQueryAsync();
        }
        NpgsqlConnection.ClearAllPools(); // idle pooled connections died too; only the writer's own is left to find out

        // The first group finds the connection dead and is reported unavailable (nothing of it stored); the next one
        // runs on a fresh connection.
        var lost = NewState();
        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => store.WriteTaskAsync(lost, null));
        var after = NewState();
        var etag = await store.WriteTaskAsync(after, null);
        Assert.Equal(etag, (await store.ReadTaskAsync(after.Record.TaskId))!.ETag);
        Assert.Null(await store.ReadTaskAsync(lost.Record.TaskId));
        await store.DisposeAsync();
    }

    private static TaskState NewState() => new()
    {
        Record = new TaskRecord { TaskId = Guid.NewGuid(), Name = "email", Status = TaskRunStatus.Pending, Source = TaskSource.Api, CreatedAt = T0, ArgsJson = "{}" },
        Options = TaskOptions.Default,
    };

    [Fact]
    public async Task Silos_starting_together_apply_each_schema_version_once()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var stores = Enumerable.Range(0, 4).Select(_ => new PostgresTaskStore(connectionString, NullLogger<PostgresTaskStore>.Instance)).ToList();

            await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT version FROM taskflow.schema_migrations ORDER BY version", connection);
            var versions = new List<int>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) versions.Add(reader.GetInt32(0));
            }
            Assert.Equal(PostgresSchemaMigrator.Scripts.Select(s => s.Version), versions);
            Assert.Empty(await PostgresSchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None));
            foreach (var store in stores) await store.DisposeAsync();
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task An_upgrade_counts_the_rows_already_there_and_a_database_from_a_newer_TaskFlow_is_refused()
    {
        // A database as the scripts before 005 left it, holding history the counts have never seen.
        await ExecuteAsync("""
            DROP TABLE taskflow.task_counts;
            DROP FUNCTION taskflow.recount_tasks();
            DELETE FROM taskflow.schema_migrations WHERE version = 5;
            INSERT INTO taskflow.tasks (task_id, name, status, priority, source, created_at, attempts, etag, state)
            SELECT gen_random_uuid(), 'email', CASE WHEN i % 4 = 0 THEN 'failed' ELSE 'success' END, 0, 'api', i, 1, 1, '{}'
            FROM generate_series(1, 1000) AS i;
            """);

        var applied = await PostgresSchemaMigrator.ApplyAsync(_connectionString, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["005_taskflow_task_counts.sql"], applied);
        var metrics = await Store.MetricsAsync();
        Assert.Equal((1000L, 750L, 250L), (metrics.Total, metrics.ByStatus[TaskRunStatus.Success], metrics.ByStatus[TaskRunStatus.Failed]));

        await ExecuteAsync("INSERT INTO taskflow.schema_migrations (version, name) VALUES (999, '999_from_the_future.sql')");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PostgresSchemaMigrator.ApplyAsync(_connectionString, NullLogger.Instance, CancellationToken.None));
        Assert.Contains("schema version 999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silos_writing_at_once_keep_the_counts_exact()
    {
        // Two writers on their own connections, as two silos: each adds to its own counter shard.
        await using var other = new PostgresTaskStore(_connectionString, NullLogger<PostgresTaskStore>.Instance);
        await other.InitializeAsync(CancellationToken.None);
        ITaskStore[] silos = [Store, other];

        await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            var state = NewState();
            var etag = await silos[i % 2].WriteTaskAsync(state, null);
            var done = state with { Record = state.Record with { Status = i % 3 == 0 ? TaskRunStatus.Failed : TaskRunStatus.Success, EndedAt = T0 } };
            await silos[(i + 1) % 2].WriteTaskAsync(done, etag);
        }));

        var metrics = await other.MetricsAsync();
        Assert.Equal((300L, 200L, 100L), (metrics.Total, metrics.ByStatus[TaskRunStatus.Success], metrics.ByStatus[TaskRunStatus.Failed]));
        Assert.False(metrics.ByStatus.ContainsKey(TaskRunStatus.Pending));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
