using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Hosting;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>A silo hosted in the test process on PostgreSQL (storage, membership and reminders on one database).</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class PostgresSiloTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private string _connectionString = "";
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        _host = await PostgresSilo.StartAsync(_connectionString, tf => tf.AddTask<NoOp>("no_op"));
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await server.DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task Reminders_are_kept_in_the_reminder_table_with_versions_and_hash_ranges()
    {
        var table = _host.Services.GetRequiredService<IReminderTable>();
        var grain = GrainId.Create("test", "reminder-owner");
        var entry = new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(1) };

        var first = await table.UpsertRow(entry);
        var second = await table.UpsertRow(entry);

        Assert.NotEqual(first, second);
        var read = await table.ReadRow(grain, "tick");
        Assert.Equal(second, read!.ETag);
        Assert.Equal(TimeSpan.FromMinutes(1), read.Period);
        Assert.Single((await table.ReadRows(grain)).Reminders);
        var hash = grain.GetUniformHashCode();
        Assert.Single((await table.ReadRows(hash - 1, hash)).Reminders);
        Assert.Empty((await table.ReadRows(hash, hash + 1)).Reminders);
        Assert.Single((await table.ReadRows(hash + 1, hash)).Reminders); // wraps round the ring
        Assert.False(await table.RemoveRow(grain, "tick", first!));
        Assert.True(await table.RemoveRow(grain, "tick", second!));
        Assert.Null(await table.ReadRow(grain, "tick"));
    }

    [Fact]
    public async Task A_no_op_task_costs_three_commits_alone_and_fewer_when_tasks_run_together()
    {
        var queue = _host.Services.GetRequiredService<ITaskQueue>();
        var store = (PostgresTaskStore)_host.Services.GetRequiredService<ITaskStore>();
        var args = JsonDocument.Parse("{}").RootElement;

        const int alone = 20;
        var before = store.Commits;
        for (var i = 0; i < alone; i++) await RunToSuccessAsync(queue, [await queue.EnqueueAsync("no_op", args)]);
        var perTaskAlone = (double)(store.Commits - before) / alone;

        const int together = 200;
        before = store.Commits;
        var ids = await Task.WhenAll(Enumerable.Range(0, together).Select(_ => queue.EnqueueAsync("no_op", args)));
        await RunToSuccessAsync(queue, ids);
        var perTaskTogether = (double)(store.Commits - before) / together;

        output.WriteLine($"commits per no-op task: {perTaskAlone:0.00} one at a time, {perTaskTogether:0.00} with {together} enqueued at once");
        // pending, running, success: one write each, and alone each is its own commit.
        Assert.Equal(3.0, perTaskAlone, 1);
        Assert.True(perTaskTogether < perTaskAlone, $"group commit should share commits ({perTaskTogether:0.00} vs {perTaskAlone:0.00})");
    }

    [Fact]
    public async Task A_silo_that_brings_its_own_clustering_creates_the_schema_before_its_reminders_start()
    {
        // Reminders on PostgreSQL read their statements from the database at the silo's start, whoever does the
        // clustering: a fresh database must get its schema first.
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["TaskFlow:Storage:Provider"] = "Postgres",
                ["TaskFlow:Storage:ConnectionString"] = connectionString,
            });
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: FreePort.Next(), gatewayPort: FreePort.Next(), serviceId: "own-clustering-" + Guid.NewGuid().ToString("N"))
                .AddTaskFlow(builder.Configuration, tf => tf.AddPostgreSqlStorage().AddTask<NoOp>("no_op")));
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var queue = host.Services.GetRequiredService<ITaskQueue>();
                await RunToSuccessAsync(queue, [await queue.EnqueueAsync("no_op", JsonDocument.Parse("{}").RootElement)]);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static Task RunToSuccessAsync(ITaskQueue queue, IReadOnlyList<Guid> ids) =>
        Eventually.WaitAsync(async () =>
            {
                var records = await Task.WhenAll(ids.Select(id => queue.GetAsync(id)));
                return records.Count(r => r?.Status == TaskRunStatus.Success);
            },
            done => done == ids.Count, TimeSpan.FromSeconds(60), $"{ids.Count} no-op tasks to succeed");

    public sealed record NoOpArgs;

    public sealed class NoOp : ITaskHandler<NoOpArgs>
    {
        public Task RunAsync(NoOpArgs args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
