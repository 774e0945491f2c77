using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>A real cluster on PostgreSQL: two standalone silos and a Client-mode Api as child processes, finding each
/// other through the ADO.NET membership table of one fresh database.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class PostgresClusterTests(PostgresServer server, ITestOutputHelper output)
{
    private const int SiloDead = 6;
    private static readonly TimeSpan StartTimeout = ProcessCluster.StartTimeout;
    private static readonly TimeSpan RunTimeout = ProcessCluster.RunTimeout;

    [Fact]
    public async Task Two_silos_and_a_client_api_run_every_task_and_keep_running_them_after_a_silo_is_killed()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var settings = ProcessCluster.PostgresSettings(connectionString);
        try
        {
            var doomedPort = FreePort.Next();
            await using var doomed = ProcessCluster.StartSilo(settings, doomedPort);
            await using var survivor = ProcessCluster.StartSilo(settings, FreePort.Next());
            foreach (var silo in new[] { doomed, survivor })
            {
                await silo.WaitForOutputAsync("Application started", StartTimeout);
                Assert.False(silo.HasExited, silo.Output);
            }
            await ProcessCluster.WaitForActiveSilosAsync(connectionString, 2);

            await using var api = await ApiHost.StartAsync(new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__Mode"] = "Client" });

            var first = await ProcessCluster.EnqueueAsync(api, 20, "before");
            await ProcessCluster.ExpectAllSucceededAsync(api, first);

            var clock = Stopwatch.StartNew();
            doomed.Kill();
            // The cluster notices the death through the membership table; until then calls to grains that lived on
            // the dead silo cannot be answered, so the second round starts once the survivor has declared it dead.
            await Eventually.WaitAsync(() => ProcessCluster.StatusOfAsync(connectionString, doomedPort), status => status == SiloDead,
                TimeSpan.FromSeconds(90), "the killed silo to be declared dead in the membership table");
            output.WriteLine($"killed silo declared dead after {clock.Elapsed.TotalSeconds:0.0} s");

            var second = await ProcessCluster.EnqueueAsync(api, 20, "after");
            await ProcessCluster.ExpectAllSucceededAsync(api, second);
            output.WriteLine($"second round done {clock.Elapsed.TotalSeconds:0.0} s after the kill");
            Assert.False(survivor.HasExited, survivor.Output);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task The_stream_of_every_api_node_carries_each_status_change_of_the_cluster_within_a_second()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var settings = ProcessCluster.PostgresSettings(connectionString);
        try
        {
            await using var first = ProcessCluster.StartSilo(settings, FreePort.Next());
            await using var second = ProcessCluster.StartSilo(settings, FreePort.Next());
            foreach (var silo in new[] { first, second })
                await silo.WaitForOutputAsync("Application started", StartTimeout);
            await ProcessCluster.WaitForActiveSilosAsync(connectionString, 2);
            var client = new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__Mode"] = "Client" };
            await using var enqueuing = await ApiHost.StartAsync(client);
            await using var watching = await ApiHost.StartAsync(client);
            await using var near = await EventStream.OpenAsync(enqueuing.Http);
            await using var far = await EventStream.OpenAsync(watching.Http);

            // Both API nodes subscribe in the background; a warm-up task shows each stream is live.
            await Eventually.WaitAsync(async () =>
                {
                    var probe = await enqueuing.EnqueueAsync("send_welcome_email", new { address = "warm-up@example.com" });
                    return await SawAsync(near, probe, TimeSpan.FromSeconds(3)) && await SawAsync(far, probe, TimeSpan.FromSeconds(3));
                },
                seen => seen, RunTimeout, "both streams to carry events");

            var ids = (await ProcessCluster.EnqueueAsync(enqueuing, 20, "stream")).ToHashSet();
            foreach (var (name, stream) in new[] { ("enqueuing node", near), ("other node", far) })
            {
                var lateness = new List<double>();
                var finished = new HashSet<Guid>();
                var statuses = ids.ToDictionary(id => id, _ => new List<string>());
                using var deadline = new CancellationTokenSource(RunTimeout);
                while (finished.Count < ids.Count)
                {
                    var change = await stream.Events.ReadAsync(deadline.Token);
                    if (!ids.Contains(change.TaskId)) continue;
                    statuses[change.TaskId].Add(change.Status);
                    var at = change.Status switch
                    {
                        "pending" => change.Record.GetProperty("createdAt").GetDateTimeOffset(),
                        "running" => change.Record.GetProperty("startedAt").GetDateTimeOffset(),
                        _ => change.Record.GetProperty("endedAt").GetDateTimeOffset(),
                    };
                    lateness.Add((change.ReceivedAt - at).TotalMilliseconds);
                    if (change.Status == "success") finished.Add(change.TaskId);
                }
                lateness.Sort();
                output.WriteLine($"{name}: {lateness.Count} events, lateness p50 {lateness[lateness.Count / 2]:0} ms, max {lateness[^1]:0} ms");
                Assert.All(statuses.Values, seen => Assert.Equal(["pending", "running", "success"], seen));
                Assert.True(lateness[^1] < 1000, $"{name}: an event arrived {lateness[^1]:0} ms after its change");
            }
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<bool> SawAsync(EventStream stream, Guid id, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            while (true)
                if ((await stream.Events.ReadAsync(deadline.Token)) is { Status: "success" } change && change.TaskId == id) return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task An_embedded_api_joins_the_membership_table_and_keeps_its_history_in_postgres()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            await using var api = await ApiHost.StartAsync(ProcessCluster.PostgresSettings(connectionString));
            await ProcessCluster.WaitForActiveSilosAsync(connectionString, 1);

            var ids = await ProcessCluster.EnqueueAsync(api, 3, "embedded");
            await ProcessCluster.ExpectAllSucceededAsync(api, ids);

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM taskflow.tasks WHERE status = 'success' AND task_id = ANY($1)", connection);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] });
            Assert.Equal(3L, await command.ExecuteScalarAsync());
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task The_silo_migrate_only_command_applies_the_schema_once_and_exits()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var settings = ProcessCluster.PostgresSettings(connectionString);
            foreach (var run in new[] { "first", "again" })
            {
                await using var command = HostProcess.Start("Silo", settings, "--migrate-only");
                Assert.True(await command.WaitForExitAsync(StartTimeout) == 0, $"{run} run:\n{command.Output}");
            }

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var versions = new NpgsqlCommand("SELECT count(*) FROM taskflow.schema_migrations", connection);
            Assert.Equal((long)TaskFlow.Storage.PostgresSchemaMigrator.Scripts.Count, await versions.ExecuteScalarAsync());
            await using var membership = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
            Assert.True((long)(await membership.ExecuteScalarAsync())! > 0);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
