using System.Text.Json;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>A batch of 1,000 tasks on a three-silo cluster: its then task runs once, after the last member ended.</summary>
public sealed class BatchClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static BatchItem Item(string run, string label) =>
        new("probe", JsonSerializer.SerializeToElement(new Probe(run, label, 0), JsonSerializerOptions.Web));

    [Fact]
    public async Task A_batch_of_a_thousand_runs_its_then_task_once_after_the_last_member_ended()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 50);
        var members = ProbeRuns.New(out var membersRun);
        var thenRun = ProbeRuns.New(out var thenId);

        var batch = await cluster.Queue.EnqueueBatchAsync([.. Enumerable.Range(0, 1_000).Select(i => Item(membersRun, $"m{i}"))], Item(thenId, "then"));

        Assert.Equal(1_000, batch.TaskIds.Count);
        var then = await Eventually.WaitAsync(async () => (await cluster.Queue.GetAsync(batch.ThenTaskId!.Value))!,
            r => r.Status.IsTerminal(), Patience, "the then task to end");
        var info = (await cluster.Queue.GetBatchAsync(batch.BatchId))!;
        var records = await Task.WhenAll(batch.TaskIds.Select(async id => (await cluster.Queue.GetAsync(id))!));

        output.WriteLine($"then started {then.StartedAt:O}; last member ended {records.Max(r => r.EndedAt):O}");
        Assert.Equal(TaskRunStatus.Success, then.Status);
        Assert.Equal(batch.BatchId, then.AfterBatch);
        Assert.All(records, r => Assert.Equal((TaskRunStatus.Success, batch.BatchId), (r.Status, r.BatchId)));
        Assert.True(then.StartedAt >= records.Max(r => r.EndedAt), "the then task started before the last member ended");
        Assert.Equal(1_000, members.Starts.Count);
        Assert.Equal(1, Assert.Single(thenRun.Starts).Value);
        Assert.True(info.Done);
        Assert.Equal(1_000, info.Counts[TaskRunStatus.Success]);
    }
}
