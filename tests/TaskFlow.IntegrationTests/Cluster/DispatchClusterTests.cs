using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>Priority and concurrency across a three-silo cluster, and what a silo crash does to them.</summary>
public sealed class DispatchClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static async Task<TaskRecord[]> WaitForAllAsync(DispatchCluster cluster, IReadOnlyCollection<Guid> ids, TimeSpan timeout) =>
        (await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await Task.WhenAll(ids.Select(async id => (await cluster.Queue.GetAsync(id))!));
                }
                catch (Exception ex) when (ex is Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Runtime.SiloUnavailableException
                                               or TimeoutException or Orleans.Runtime.OrleansMessageRejectionException)
                {
                    // A client whose gateway was just killed reconnects to another one, as an application would retry.
                    return null;
                }
            },
            records => records is not null && records.All(r => r.Status.IsTerminal()), timeout, $"{ids.Count} tasks to end"))!;

    [Fact]
    public async Task Limit_three_is_exact_across_three_silos_and_all_thirty_tasks_succeed()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 3);
        var run = ProbeRuns.New(out var runId);

        var ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.EnqueueAsync("probe", new Probe(runId, $"t{i}", 200))));
        var records = await WaitForAllAsync(cluster, ids, Patience);

        Assert.All(records, r => Assert.Equal(TaskRunStatus.Success, r.Status));
        Assert.Equal(3, run.Peak);
        Assert.All(run.Starts.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task With_one_slot_taken_priorities_run_highest_first_and_equal_ones_in_arrival_order()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 1);
        var run = ProbeRuns.New(out var runId);
        var blocker = await cluster.EnqueueAsync("probe", new Probe(runId, "blocker", 1_500));
        await Eventually.WaitAsync(() => cluster.Queue.GetAsync(blocker), r => r!.Status == TaskRunStatus.Running, Patience, "the blocker to run");

        var ids = new List<Guid> { blocker };
        foreach (var (label, priority) in new[] { ("p1", 1), ("p10-first", 10), ("p5", 5), ("p10-second", 10) })
            ids.Add(await cluster.EnqueueAsync("probe", new Probe(runId, label, 10), priority));
        await WaitForAllAsync(cluster, ids, Patience);

        Assert.Equal(["blocker", "p10-first", "p10-second", "p5", "p1"], run.StartOrder);
    }

    [Fact]
    public async Task A_per_task_limit_of_one_never_overlaps_itself_while_other_tasks_run_beside_it()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 10);
        var run = ProbeRuns.New(out var runId);

        var single = Enumerable.Range(0, 6).Select(i => cluster.EnqueueAsync("probe_single", new Probe(runId, $"s{i}", 150)));
        var free = Enumerable.Range(0, 12).Select(i => cluster.EnqueueAsync("probe", new Probe(runId, $"f{i}", 150)));
        var ids = await Task.WhenAll(single.Concat(free));
        await WaitForAllAsync(cluster, ids, Patience);

        Assert.Equal(1, run.PeakByName["probe_single"]);
        Assert.True(run.PeakByName["probe"] > 1, $"the free task peaked at {run.PeakByName["probe"]}");
        Assert.True(run.NamesOverlapped, "the limited task should run beside the free one");
    }

    [Fact]
    public async Task Killing_the_silo_of_the_dispatcher_mid_run_ends_every_task_and_runs_none_twice()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 3);
        var run = ProbeRuns.New(out var runId);
        var dispatcher = cluster.Cluster.Client.GetGrain<IDispatcherGrain>(0);
        var host = await MoveOffPrimaryAsync(cluster, dispatcher);

        var ids = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => cluster.EnqueueAsync("probe_once", new Probe(runId, $"t{i}", 300))));
        await Eventually.WaitAsync(() => Task.FromResult(run.Starts.Count), n => n >= 6, Patience, "six tasks to start");
        await cluster.Cluster.KillSiloAsync(host);

        var records = await WaitForAllAsync(cluster, ids, Patience);

        output.WriteLine(string.Join(", ", records.GroupBy(r => r.Status).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.All(run.Starts.Values, n => Assert.Equal(1, n));
        Assert.All(records, r => Assert.Contains(r.Status, new[] { TaskRunStatus.Success, TaskRunStatus.Interrupted }));
        // Every slot comes back: the last releases may trail the final state writes by a moment.
        var snapshot = await Eventually.WaitAsync(dispatcher.Snapshot, s => s.Running == 0, Patience, "every slot to be free");
        Assert.NotEqual(host.SiloAddress.ToString(), snapshot.Host);
    }

    [Fact]
    public async Task Killing_a_silo_that_runs_tasks_gives_their_slots_back_and_the_queue_drains()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 3);
        var run = ProbeRuns.New(out var runId);
        var dispatcher = cluster.Cluster.Client.GetGrain<IDispatcherGrain>(0);
        var dispatcherHost = (await dispatcher.Snapshot()).Host;
        var victim = cluster.Cluster.SecondarySilos.First(s => s.SiloAddress.ToString() != dispatcherHost);

        var ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.EnqueueAsync("probe_once", new Probe(runId, $"t{i}", 400))));
        await Eventually.WaitAsync(() => Task.FromResult(run.Starts.Count), n => n >= 6, Patience, "six tasks to start");
        await cluster.Cluster.KillSiloAsync(victim);

        var records = await WaitForAllAsync(cluster, ids, Patience);

        output.WriteLine(string.Join(", ", records.GroupBy(r => r.Status).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.All(run.Starts.Values, n => Assert.Equal(1, n));
        Assert.All(records, r => Assert.Contains(r.Status, new[] { TaskRunStatus.Success, TaskRunStatus.Interrupted }));
        await Eventually.WaitAsync(dispatcher.Snapshot, s => s.Running == 0, Patience, "every slot to be free");
    }

    /// <summary>The test cluster's membership lives on its primary silo, so the dispatcher is moved to a secondary
    /// before its silo is killed.</summary>
    private static async Task<Orleans.TestingHost.SiloHandle> MoveOffPrimaryAsync(DispatchCluster cluster, IDispatcherGrain dispatcher)
    {
        var host = (await dispatcher.Snapshot()).Host;
        var primary = cluster.Cluster.Primary!.SiloAddress.ToString();
        if (host == primary)
        {
            await cluster.Cluster.MigrateAsync(dispatcher, cluster.Cluster.SecondarySilos[0].SiloAddress);
            host = (await dispatcher.Snapshot()).Host;
        }
        Assert.NotEqual(primary, host);
        return cluster.Cluster.SecondarySilos.Single(s => s.SiloAddress.ToString() == host);
    }
}
