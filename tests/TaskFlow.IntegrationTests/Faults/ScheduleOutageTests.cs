using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.IntegrationTests.Cluster;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>A fire that fails half-way (its occurrence and task id stored, the task not created) must neither stop the
/// schedule until its next reminder nor be lost: the schedule tries again within a second and creates the very task
/// whose id it stored.</summary>
public sealed class ScheduleOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schedule = "outage_every_second";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = "schedule-outage-" + Guid.NewGuid().ToString("N");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        FailingTaskWrites.Down = false;
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_fire_whose_task_could_not_be_created_is_finished_with_its_stored_id_within_seconds_of_recovery()
    {
        var query = _cluster.Client.GetGrain<ITaskQueryGrain>(0);
        await Eventually.WaitAsync(() => OccurrencesAsync(query), o => o.Count >= 2, TimeSpan.FromSeconds(30), "the schedule to fire");

        FailingTaskWrites.Down = true;
        var refused = await Eventually.WaitAsync(() => Task.FromResult(FailingTaskWrites.Refused.Values.Sum()), n => n >= 3,
            TimeSpan.FromSeconds(30), "three refused writes (the fire and its retries)");
        var halfDone = FailingTaskWrites.FirstRefused!.Value;
        FailingTaskWrites.Down = false;
        var healedAt = DateTimeOffset.UtcNow;

        // The stored fire is finished under the id it stored, and the timetable goes on (no minute-long pause).
        var occurrences = await Eventually.WaitAsync(() => OccurrencesAsync(query), o => o.Count(x => x.CreatedAt > healedAt) >= 3,
            TimeSpan.FromSeconds(30), "three fires after the store came back");
        var firstAfter = occurrences.Where(x => x.CreatedAt > healedAt).Min(x => x.CreatedAt);
        output.WriteLine($"refused writes: {refused} of {FailingTaskWrites.Refused.Count} task(s); first task after recovery {(firstAfter - healedAt).TotalSeconds:0.00} s later");

        Assert.Single(FailingTaskWrites.Refused.Keys);
        Assert.Contains(occurrences, x => x.TaskId == halfDone);
        Assert.InRange((firstAfter - healedAt).TotalSeconds, 0, 3);
        Assert.Equal(occurrences.Count, occurrences.Select(x => x.Occurrence).Distinct().Count());
    }

    private static async Task<List<(Guid TaskId, DateTimeOffset Occurrence, DateTimeOffset CreatedAt)>> OccurrencesAsync(ITaskQueryGrain query)
    {
        var page = await query.List(new TaskQuery { ScheduleName = Schedule, Limit = 500 });
        return [.. page.Items.Select(r => (r.TaskId, DateTimeOffset.Parse(r.Tags["occurrence"], CultureInfo.InvariantCulture), r.CreatedAt))];
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["TaskFlow:Storage:Provider"] = "Memory" })
                .Build();
            siloBuilder.Services.AddSingleton<ITaskStore>(_ => new FailingTaskWrites(new MemoryTaskStore()));
            siloBuilder.AddTaskFlow(configuration, tf =>
                tf.AddSchedule<ProbeHandler>(Schedule, TimeSpan.FromSeconds(1), o => o.Args(new Probe("outage", "tick", 0))));
        }
    }

    /// <summary>A store whose writes of task rows fail, as in an outage, while <see cref="Down"/> is set; the schedule's
    /// own state still gets through, so fires are stored and their tasks are not.</summary>
    private sealed class FailingTaskWrites(ITaskStore inner) : DelegatingTaskStore(inner)
    {
        public static volatile bool Down;

        public static ConcurrentDictionary<Guid, int> Refused { get; } = new();

        public static Guid? FirstRefused { get; private set; }

        public override Task<string> WriteTaskAsync(TaskState state, string? expectedETag, CancellationToken cancellationToken = default)
        {
            if (!Down) return Inner.WriteTaskAsync(state, expectedETag, cancellationToken);
            FirstRefused ??= state.Record.TaskId;
            Refused.AddOrUpdate(state.Record.TaskId, 1, (_, n) => n + 1);
            throw new TaskStoreUnavailableException("The test store is down.", new TimeoutException());
        }

    }
}
