using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Idempotency;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Scheduling;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>Schedules and idempotency keys on PostgreSQL across silo restarts and across the upgrade that moved their
/// states from <c>taskflow.grain_state</c> to Orleans' ADO.NET storage: a schedule that forgot its last fire would
/// fire again, a forgotten key would run its task twice.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class PostgresGrainStateTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly JsonElement NoArgs = JsonDocument.Parse("{}").RootElement;
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync();

    public Task DisposeAsync() => server.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task A_schedule_and_an_idempotency_key_survive_a_silo_restart_in_the_Orleans_storage_table()
    {
        Guid fired, keyed;
        var silo = await StartSiloAsync();
        try
        {
            fired = await LastFireAsync(silo);
            var queue = silo.Services.GetRequiredService<ITaskQueue>();
            keyed = await queue.EnqueueAsync("no_op", NoArgs, new EnqueueOptions { IdempotencyKey = "order-42" });
            // A task cut off by the stop would end interrupted, and such a key may be used again.
            await Eventually.WaitAsync(() => queue.GetAsync(keyed), r => r?.Status == TaskRunStatus.Success, TimeSpan.FromSeconds(30), "the keyed task to succeed");
        }
        finally
        {
            await StopAsync(silo);
        }

        var stored = (await QueryAsync("SELECT GrainTypeString, COALESCE(GrainIdExtensionString, '-') FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"))
            .Select(r => $"{r[0]}/{r[1]}").Order(StringComparer.Ordinal);
        Assert.Equal(["key/order-42", "schedule/nightly", "schedules/-"], stored);
        Assert.Equal(0L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);

        silo = await StartSiloAsync();
        try
        {
            // A schedule that forgot it ran on startup would fire again as it activates.
            Assert.Equal(fired, await LastFireAsync(silo));
            Assert.Equal(keyed, await silo.Services.GetRequiredService<ITaskQueue>().EnqueueAsync("no_op", NoArgs, new EnqueueOptions { IdempotencyKey = "order-42" }));
        }
        finally
        {
            await StopAsync(silo);
        }
    }

    [Fact]
    public async Task States_an_older_version_kept_in_grain_state_are_carried_over_when_the_silo_starts()
    {
        // What an older version left: its tasks and, through TaskFlow's own grain storage, the grains' states in
        // taskflow.grain_state; no Orleans storage table yet.
        var scheduleTask = Guid.NewGuid();
        var keyTask = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var entry = new AuditEntry("pause", [], "alice", now.AddMinutes(-5), "nightly");
        await using (var oldStore = new PostgresTaskStore(_connectionString, NullLogger<PostgresTaskStore>.Instance))
        {
            await oldStore.InitializeAsync(CancellationToken.None);
            await oldStore.WriteTaskAsync(Succeeded(scheduleTask, now.AddMinutes(-1)), null);
            await oldStore.WriteTaskAsync(Succeeded(keyTask, now.AddMinutes(-2)), null);
            var old = new TaskFlowGrainStorage(oldStore);
            await old.WriteStateAsync("schedule", GrainId.Create("taskflow.schedule", "nightly"), new GrainState<ScheduleState>(new ScheduleState
            {
                LastOccurrence = now,
                LastTaskId = scheduleTask,
                LastFiredAt = now.AddMinutes(-1),
                LastFiredOccurrence = now.AddMinutes(-1),
                LastTaskCreated = true,
                StartupFired = true,
            }));
            await old.WriteStateAsync("schedules", GrainId.Create(GrainType.Create("taskflow.schedule-directory"), GrainIdKeyExtensions.CreateIntegerKey(0)),
                new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState { Known = ["nightly"] }));
            await old.WriteStateAsync("key", GrainId.Create("taskflow.idempotency", "order-42"), new GrainState<IdempotencyState>(new IdempotencyState { TaskId = keyTask }));
            await old.WriteStateAsync("audit", GrainId.Create(GrainType.Create("taskflow.audit"), GrainIdKeyExtensions.CreateIntegerKey(0)),
                new GrainState<AuditState>(new AuditState { Entries = [entry] }));
        }
        await QueryAsync("DROP TABLE OrleansStorage; DELETE FROM taskflow.schema_migrations WHERE version = 4");

        var silo = await StartSiloAsync();
        try
        {
            Assert.Equal(scheduleTask, await LastFireAsync(silo));
            Assert.Equal(keyTask, await silo.Services.GetRequiredService<ITaskQueue>().EnqueueAsync("no_op", NoArgs, new EnqueueOptions { IdempotencyKey = "order-42" }));
            Assert.Equivalent(new[] { entry }, await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IAuditGrain>(0).List(10), strict: true);
        }
        finally
        {
            await StopAsync(silo);
        }
        Assert.Equal(0L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);
        Assert.Equal(4L, (await QueryAsync("SELECT COUNT(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"))[0][0]);
    }

    private Task<IHost> StartSiloAsync() =>
        PostgresSilo.StartAsync(_connectionString, tf => tf
            .AddTask<NoOp>("no_op")
            .AddSchedule<NoOp>("nightly", every: TimeSpan.FromHours(1), o => o.RunOnStartup()));

    private static async Task StopAsync(IHost silo)
    {
        await silo.StopAsync();
        silo.Dispose();
    }

    /// <summary>The task of the schedule's last fire, read once the schedule grain has activated (and fired on
    /// startup, if it has no record of having done so).</summary>
    private static async Task<Guid> LastFireAsync(IHost silo)
    {
        var info = await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IScheduleGrain>("nightly").Describe();
        return info?.LastTaskId ?? throw new InvalidOperationException("The schedule has not fired.");
    }

    private static TaskState Succeeded(Guid id, DateTimeOffset at) => new()
    {
        Record = new TaskRecord
        {
            TaskId = id, Name = "no_op", Status = TaskRunStatus.Success, Source = TaskSource.Api,
            CreatedAt = at, StartedAt = at, EndedAt = at, AttemptCount = 1, ArgsJson = "{}",
        },
        Options = TaskOptions.Default,
    };

    private Task<List<object[]>> QueryAsync(string sql) => PostgresRows.QueryAsync(_connectionString, sql);

    public sealed record NoOpArgs;

    public sealed class NoOp : ITaskHandler<NoOpArgs>
    {
        public Task RunAsync(NoOpArgs args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
