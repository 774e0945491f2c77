using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>Dispatch as it runs across three silos: each silo's agent batches its tasks' requests and releases and
/// receives its grants in batches; the global limit and the priority order still hold for the cluster as one.</summary>
public sealed class BatchedDispatchClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static async Task<TaskRecord[]> WaitForAllAsync(DispatchCluster cluster, IReadOnlyCollection<Guid> ids) =>
        await Eventually.WaitAsync(
            async () => await Task.WhenAll(ids.Select(async id => (await cluster.Queue.GetAsync(id))!)),
            records => records.All(r => r.Status.IsTerminal()), Patience, $"{ids.Count} tasks to end");

    [Fact]
    public async Task Two_hundred_short_tasks_enqueued_at_once_run_exactly_four_at_a_time_across_three_silos()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 4);
        var run = ProbeRuns.New(out var runId);

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => cluster.EnqueueAsync("probe", new Probe(runId, $"t{i}", 20))));
        var records = await WaitForAllAsync(cluster, ids);

        output.WriteLine(string.Join(", ", records.GroupBy(r => r.Attempts.LastOrDefault()?.Host).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.All(records, r => Assert.Equal(TaskRunStatus.Success, r.Status));
        Assert.Equal(4, run.Peak);
        Assert.Equal(200, run.Starts.Count);
        Assert.All(run.Starts.Values, n => Assert.Equal(1, n));
        var dispatcher = cluster.Cluster.Client.GetGrain<IDispatcherGrain>(0);
        await Eventually.WaitAsync(dispatcher.Snapshot, s => s.Running == 0 && s.QueuedByPriority.IsEmpty, Patience, "every slot to be free");
    }

    [Fact]
    public async Task Fifteen_tasks_of_three_priorities_start_highest_first_and_in_arrival_order_among_equals()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 1);
        var run = ProbeRuns.New(out var runId);
        var blocker = await cluster.EnqueueAsync("probe", new Probe(runId, "blocker", 6_000));
        await Eventually.WaitAsync(() => cluster.Queue.GetAsync(blocker), r => r!.Status == TaskRunStatus.Running, Patience, "the blocker to run");

        var ids = new List<Guid> { blocker };
        var waiting = Enumerable.Range(0, 15).Select(i => (Label: $"p{i % 3 * 5}-{i}", Priority: i % 3 * 5)).ToList();
        foreach (var (label, priority) in waiting)
            ids.Add(await cluster.EnqueueAsync("probe", new Probe(runId, label, 10), priority));
        var blockerRecord = await cluster.Queue.GetAsync(blocker);
        Assert.Equal(TaskRunStatus.Running, blockerRecord!.Status);
        var records = await WaitForAllAsync(cluster, ids);

        output.WriteLine(string.Join(", ", records.GroupBy(r => r.Attempts.LastOrDefault()?.Host).Select(g => $"{g.Key}: {g.Count()}")));
        // OrderBy is stable: equal priorities keep their arrival order.
        string[] expected = ["blocker", .. waiting.OrderByDescending(w => w.Priority).Select(w => w.Label)];
        Assert.Equal(expected, run.StartOrder);
    }
}
