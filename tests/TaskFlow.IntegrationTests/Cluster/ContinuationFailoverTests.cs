using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>Continuations across the death of a silo: awaiting tasks and parents whose activations lived there come back
/// on the others (from their stored state and their registrations), and every child still runs once, after its parent.</summary>
public sealed class ContinuationFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Children_waiting_across_a_killed_silo_run_once_each_after_their_parents()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 12);
        var parentsRun = ProbeRuns.New(out var parentsId);
        var childrenRun = ProbeRuns.New(out var childrenId);
        var dispatcherHost = (await cluster.Cluster.Client.GetGrain<IDispatcherGrain>(0).Snapshot()).Host;
        var victim = cluster.Cluster.SecondarySilos.First(s => s.SiloAddress.ToString() != dispatcherHost);

        var pairs = new List<(Guid Parent, Guid Child)>();
        for (var i = 0; i < 12; i++)
        {
            var parent = await cluster.EnqueueAsync("probe", new Probe(parentsId, $"p{i}", 1_500));
            var child = await cluster.Queue.EnqueueAsync("probe", System.Text.Json.JsonSerializer.SerializeToElement(new Probe(childrenId, $"c{i}", 10), System.Text.Json.JsonSerializerOptions.Web),
                new EnqueueOptions { After = [parent] });
            pairs.Add((parent, child));
        }
        await Eventually.WaitAsync(() => Task.FromResult(parentsRun.Starts.Count), n => n >= 6, Patience, "parents to start");
        await cluster.Cluster.KillSiloAsync(victim);

        var records = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await Task.WhenAll(pairs.Select(async p => ((await cluster.Queue.GetAsync(p.Parent))!, (await cluster.Queue.GetAsync(p.Child))!)));
                }
                catch (Exception ex) when (ex is Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Runtime.SiloUnavailableException
                                               or TimeoutException or Orleans.Runtime.OrleansMessageRejectionException)
                {
                    return null;
                }
            },
            all => all is not null && all.All(p => p.Item2.Status.IsTerminal()), Patience, "every child to end") ?? [];

        output.WriteLine(string.Join(", ", records.GroupBy(r => r.Item2.Status).Select(g => $"{g.Key}: {g.Count()}")));
        foreach (var (parent, child) in records)
        {
            Assert.Equal(TaskRunStatus.Success, parent.Status);
            Assert.Equal(TaskRunStatus.Success, child.Status);
            Assert.True(child.StartedAt >= parent.EndedAt, $"child {child.TaskId} started before its parent ended");
        }
        Assert.Equal(12, childrenRun.Starts.Count);
        Assert.All(childrenRun.Starts.Values, n => Assert.Equal(1, n));
    }
}
