using System.Diagnostics;
using Orleans.TestingHost;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>A silo that stops gracefully lets the attempts running on it finish within the shutdown grace, starts no
/// new ones, interrupts only what outlives the grace, and never disturbs attempts running on the other silos.</summary>
public sealed class DrainClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Task<TaskRecord[]> WaitForAllAsync(DispatchCluster cluster, IEnumerable<Guid> ids, Func<TaskRecord, bool> done, string what) =>
        Eventually.WaitAsync(() => Task.WhenAll(ids.Select(async id => (await cluster.Queue.GetAsync(id))!)),
            records => records.All(r => r is not null && done(r)), Patience, what);

    private static string HostOf(SiloHandle silo) => silo.SiloAddress.Endpoint.ToString();

    /// <summary>A secondary silo (the primary holds the test cluster's membership) running at least one of the attempts.</summary>
    private static SiloHandle SiloRunningOneOf(DispatchCluster cluster, TaskRecord[] running) =>
        cluster.Cluster.SecondarySilos.FirstOrDefault(s => running.Any(r => r.Attempts[^1].Host == HostOf(s)))
        ?? throw new InvalidOperationException("No secondary silo runs an attempt: " + string.Join(", ", running.Select(r => r.Attempts[^1].Host)));

    [Fact]
    public async Task Stopping_a_silo_lets_its_running_attempts_finish_and_interrupts_nothing_anywhere()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 30, shutdownGrace: TimeSpan.FromSeconds(30));
        var run = Guid.NewGuid().ToString("N");
        // probe_once is never run again after an interruption: an interrupted attempt would show as "interrupted".
        var ids = await Task.WhenAll(Enumerable.Range(0, 18).Select(i => cluster.EnqueueAsync("probe_once", new Probe(run, $"long-{i}", 4_000))));
        var running = await WaitForAllAsync(cluster, ids, r => r.Status == TaskRunStatus.Running, "every attempt to run");
        var stopping = SiloRunningOneOf(cluster, running);
        var onStopping = running.Count(r => r.Attempts[^1].Host == HostOf(stopping));

        var clock = Stopwatch.StartNew();
        var stop = cluster.Cluster.StopSiloAsync(stopping);
        // Work enqueued once the silo drains (it is shutting down in the membership) runs elsewhere.
        var status = cluster.Cluster.Client.GetGrain<Grains.IClusterStatusGrain>(0);
        await Eventually.WaitAsync(() => status.Describe(), c => c.Silos.Any(s => s.Host == HostOf(stopping) && s.Status != Grains.SiloState.Active),
            Patience, "the stopping silo to leave the active state");
        var during = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => cluster.EnqueueAsync("probe_once", new Probe(run, $"during-{i}", 100))));
        await stop;
        output.WriteLine($"{onStopping} of {ids.Length} attempts ran on the stopped silo; it stopped after {clock.Elapsed.TotalSeconds:0.0} s");

        var ended = await WaitForAllAsync(cluster, [.. ids, .. during], r => r.Status.IsTerminal(), "every task to end");
        Assert.All(ended, r => Assert.Equal(TaskRunStatus.Success, r.Status));
        Assert.All(ended, r => Assert.Single(r.Attempts));
        Assert.All(ended.Where(r => during.Contains(r.TaskId)), r => Assert.NotEqual(HostOf(stopping), r.Attempts[0].Host));
        Assert.True(onStopping > 0);
    }

    [Fact]
    public async Task Delayed_tasks_waiting_on_a_stopping_silo_are_handed_to_another_and_start_on_time()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 30, shutdownGrace: TimeSpan.FromSeconds(5));
        var run = Guid.NewGuid().ToString("N");
        var delay = TimeSpan.FromSeconds(4);
        var ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.Queue.EnqueueAsync("probe",
            System.Text.Json.JsonSerializer.SerializeToElement(new Probe(run, $"delayed-{i}", 50), System.Text.Json.JsonSerializerOptions.Web),
            new EnqueueOptions { Delay = delay })));
        var management = cluster.Cluster.Client.GetGrain<IManagementGrain>(0);
        var placed = new List<(Guid Id, SiloAddress? Silo)>();
        foreach (var id in ids) placed.Add((id, await management.GetActivationAddress(cluster.Cluster.Client.GetGrain<Grains.ITaskGrain>(id))));
        var stopping = cluster.Cluster.SecondarySilos.OrderByDescending(s => placed.Count(p => s.SiloAddress.Equals(p.Silo))).First();
        var waitingThere = placed.Where(p => stopping.SiloAddress.Equals(p.Silo)).Select(p => p.Id).ToList();

        await cluster.Cluster.StopSiloAsync(stopping);

        var ended = await WaitForAllAsync(cluster, ids, r => r.Status.IsTerminal(), "every delayed task to end");
        var handedOff = ended.Where(r => waitingThere.Contains(r.TaskId)).ToList();
        var lateness = handedOff.Select(r => (r.Attempts[0].StartedAt - r.CreatedAt - delay).TotalSeconds).DefaultIfEmpty().Max();
        output.WriteLine($"{handedOff.Count} of {ids.Length} delayed tasks waited on the stopped silo; the latest started {lateness:0.0} s after it was due");
        Assert.NotEmpty(handedOff);
        Assert.All(ended, r => Assert.Equal(TaskRunStatus.Success, r.Status));
        Assert.All(handedOff, r => Assert.NotEqual(HostOf(stopping), r.Attempts[0].Host));
        // Without the hand-off they would wait for the next store sweep (every 15 s).
        Assert.True(lateness < 5, $"a handed-off task started {lateness:0.0} s late");
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_grace_is_interrupted_and_a_requeued_one_runs_again_elsewhere()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 30, shutdownGrace: TimeSpan.FromSeconds(1));
        var run = Guid.NewGuid().ToString("N");
        var once = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => cluster.EnqueueAsync("probe_once", new Probe(run, $"once-{i}", 60_000))));
        var requeued = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => cluster.EnqueueAsync("probe", new Probe(run, $"again-{i}", 60_000))));
        var running = await WaitForAllAsync(cluster, [.. once, .. requeued], r => r.Status == TaskRunStatus.Running, "every attempt to run");
        var stopping = SiloRunningOneOf(cluster, running);
        bool RanThere(TaskRecord r) => r.Attempts[^1].Host == HostOf(stopping);

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.StopSiloAsync(stopping);
        output.WriteLine($"stopped after {clock.Elapsed.TotalSeconds:0.0} s with a grace of 1 s");

        var onceThere = running.Where(r => once.Contains(r.TaskId) && RanThere(r)).Select(r => r.TaskId).ToList();
        var againThere = running.Where(r => requeued.Contains(r.TaskId) && RanThere(r)).Select(r => r.TaskId).ToList();
        await WaitForAllAsync(cluster, onceThere, r => r.Status == TaskRunStatus.Interrupted, "the stopped silo's once-only attempts to be interrupted");
        await WaitForAllAsync(cluster, againThere, r => r.Status == TaskRunStatus.Running && r.Attempts.Length == 2 && r.Attempts[1].Host != HostOf(stopping),
            "the stopped silo's requeued attempts to run again on another silo");
        // Attempts on the other silos were not touched.
        var elsewhere = running.Where(r => !RanThere(r)).Select(r => r.TaskId).ToList();
        var now = await Task.WhenAll(elsewhere.Select(async id => (await cluster.Queue.GetAsync(id))!));
        Assert.All(now, r => Assert.Equal((TaskRunStatus.Running, 1), (r.Status, r.Attempts.Length)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the stop took {clock.Elapsed}");
    }
}
