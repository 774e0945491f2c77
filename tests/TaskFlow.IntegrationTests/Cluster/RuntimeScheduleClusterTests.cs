using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>A schedule created at runtime on three silos storing in SQLite: each occurrence fires once across the kill
/// of the silo holding it; replaced, it fires its new definition; it is still there, and firing, after the whole
/// cluster restarts; deleted, it stops firing and is gone. The code schedule <c>tick_every_second</c> is the clock.</summary>
public sealed class RuntimeScheduleClusterTests(ITestOutputHelper output) : IDisposable
{
    private const string Name = "rt_every_second";
    private readonly TempDirectory _directory = new();
    private readonly string _serviceId = "runtime-schedules-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_runtime_schedule_fires_once_per_occurrence_across_a_silo_kill_is_replaced_survives_a_restart_and_is_deleted()
    {
        var registry = DispatchCluster.Register(new TaskFlowBuilder(new ServiceCollection())).Registry;
        DateTimeOffset restartedAt;
        await using (var cluster = await StartAsync())
        {
            var schedules = new TaskSchedules(cluster.Client, registry);
            var created = await schedules.CreateAsync(Spec(every: 1, label: "first"));
            Assert.Equal(ScheduleChangeStatus.Done, created.Status);
            var first = (await WaitForAsync(cluster, DateTimeOffset.MinValue)).Min(f => f.Occurrence);

            // The test cluster's membership lives on the primary silo: move the schedule before killing its silo.
            var schedule = cluster.Client.GetGrain<IScheduleGrain>(Name);
            var host = (await schedule.Describe())!.Host;
            if (host == cluster.Primary!.SiloAddress.ToString())
            {
                await cluster.MigrateAsync(schedule, cluster.SecondarySilos[0].SiloAddress);
                host = (await schedule.Describe())!.Host;
            }
            await WaitForAsync(cluster, first.AddSeconds(5));
            var killedAt = DateTimeOffset.UtcNow;
            await cluster.KillSiloAsync(cluster.SecondarySilos.Single(s => s.SiloAddress.ToString() == host));
            var fires = await WaitForAsync(cluster, killedAt.AddSeconds(8));

            AssertOncePerOccurrence(fires);
            Assert.NotEqual(host, (await schedule.Describe())!.Host);
            var afterKill = fires.Where(f => f.Occurrence > killedAt).Select(f => f.Occurrence).Order().ToList();
            Assert.Equal(5, afterKill.Count(o => o > afterKill[^1].AddSeconds(-5)));
            output.WriteLine($"{fires.Count} fires; first after the kill at +{(afterKill[0] - killedAt).TotalSeconds:0.0} s");

            var replaced = await schedules.ReplaceAsync(Name, Spec(every: 2, label: "second"));
            Assert.Equal(2, replaced.Schedule!.EverySeconds);
            var replacedAt = DateTimeOffset.UtcNow;
            var seconds = await WaitForAsync(cluster, replacedAt.AddSeconds(4), label: "second");
            Assert.All(seconds.Where(f => f.Label == "second"), f => Assert.Equal(0, f.Occurrence.ToUnixTimeSeconds() % 2));
            Assert.DoesNotContain(seconds, f => f.Label == "first" && f.Occurrence > replacedAt.AddSeconds(1));
            await cluster.StopAllSilosAsync();
        }

        await using (var cluster = await StartAsync())
        {
            restartedAt = DateTimeOffset.UtcNow;
            var schedules = new TaskSchedules(cluster.Client, registry);
            var listed = Assert.Single(await schedules.ListAsync(), s => s.Name == Name);
            Assert.Equal((2.0, "probe", true), (listed.EverySeconds, listed.Task, listed.Runtime));
            Assert.Contains("\"second\"", listed.ArgsJson, StringComparison.Ordinal);

            var fires = await WaitForAsync(cluster, restartedAt.AddSeconds(4), label: "second");
            AssertOncePerOccurrence(fires);

            Assert.Equal(ScheduleChangeStatus.Done, (await schedules.DeleteAsync(Name)).Status);
            var deletedAt = DateTimeOffset.UtcNow;
            Assert.DoesNotContain(await schedules.ListAsync(), s => s.Name == Name);
            // Five more seconds of the code schedule's clock, and no fire of the deleted one among them.
            await Eventually.WaitAsync(() => OccurrencesAsync(cluster, DispatchCluster.ScheduleName),
                o => o.Any(f => f.Occurrence > deletedAt.AddSeconds(5)), TimeSpan.FromSeconds(60), "five seconds of the clock");
            Assert.DoesNotContain(await OccurrencesAsync(cluster, Name), f => f.Occurrence > deletedAt.AddSeconds(1));
            Assert.Null(await cluster.Client.GetGrain<IScheduleGrain>(Name).Describe());
        }
    }

    private static ScheduleSpec Spec(double every, string label) => new()
    {
        Name = Name,
        Task = "probe",
        ArgsJson = JsonSerializer.Serialize(new Probe("runtime-schedule", label, 0), JsonSerializerOptions.Web),
        EverySeconds = every,
    };

    private static void AssertOncePerOccurrence(List<Fire> fires)
    {
        var duplicates = fires.GroupBy(f => f.Occurrence).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    private sealed record Fire(DateTimeOffset Occurrence, string Label);

    private static async Task<List<Fire>> OccurrencesAsync(TestCluster cluster, string schedule)
    {
        var fires = new List<Fire>();
        TaskCursor? after = null;
        do
        {
            TaskPage page;
            try
            {
                page = await cluster.Client.GetGrain<ITaskQueryGrain>(0)
                    .List(new TaskQuery { ScheduleName = schedule, Limit = 500, After = after });
            }
            catch (Exception ex) when (ex is Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
            {
                return fires;
            }
            fires.AddRange(page.Items.Select(r => new Fire(
                DateTimeOffset.Parse(r.Tags["occurrence"], CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<Probe>(r.ArgsJson, JsonSerializerOptions.Web)!.Label)));
            after = page.Next;
        }
        while (after is not null);
        return fires;
    }

    private static Task<List<Fire>> WaitForAsync(TestCluster cluster, DateTimeOffset until, string? label = null) =>
        Eventually.WaitAsync(() => OccurrencesAsync(cluster, Name),
            f => f.Any(x => x.Occurrence >= until && (label is null || x.Label == label)), TimeSpan.FromSeconds(60),
            $"a fire of {Name} at or after {until:HH:mm:ss}");

    private async Task<TestCluster> StartAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.ServiceId = _serviceId;
        builder.Properties["TaskFlow:MaxConcurrency"] = "10";
        builder.Properties["TaskFlow:Storage:Provider"] = "Sqlite";
        builder.Properties["TaskFlow:Storage:ConnectionString"] = _directory.Sqlite();
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddTaskFlow(siloBuilder.Configuration, tf => DispatchCluster.Register(tf.AddSqliteStorage())
                .AddSchedule<ProbeHandler>(DispatchCluster.ScheduleName, TimeSpan.FromSeconds(1), o => o.Args(new Probe("clock", "tick", 0))));
            // Declare a killed silo dead within a few seconds, so failover is measured in seconds, not minutes.
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        }
    }
}
