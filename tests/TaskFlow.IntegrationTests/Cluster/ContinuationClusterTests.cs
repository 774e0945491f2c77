using TaskFlow.Demo;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>Continuations on the two-silo cluster through the client queue (the C# face of <c>POST /tasks</c>'s
/// <c>after</c> and <c>afterPolicy</c>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ContinuationClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private Task<TaskRecord> WaitForTerminalAsync(Guid id) =>
        Eventually.WaitAsync(async () => (await fixture.Queue.GetAsync(id))!, r => r is not null && r.Status.IsTerminal(), Patience, $"task {id} to end");

    private Task<Guid> AfterAsync<TArgs>(TArgs args, ContinuationPolicy policy, params Guid[] parents) where TArgs : notnull =>
        fixture.Queue.EnqueueAsync(args, new EnqueueOptions { After = parents, AfterPolicy = policy });

    [Fact]
    public async Task A_chain_a_b_c_runs_each_task_after_the_one_before_it_ended()
    {
        var a = await fixture.Queue.EnqueueAsync(new Sleep(600));
        var b = await AfterAsync(new WelcomeEmail("b@b.c"), ContinuationPolicy.Success, a);
        var c = await AfterAsync(new WelcomeEmail("c@b.c"), ContinuationPolicy.Success, b);
        Assert.Equal(TaskRunStatus.Awaiting, (await fixture.Queue.GetAsync(c))!.Status);

        var (ra, rb, rc) = (await WaitForTerminalAsync(a), await WaitForTerminalAsync(b), await WaitForTerminalAsync(c));

        Assert.All(new[] { ra, rb, rc }, r => Assert.Equal(TaskRunStatus.Success, r.Status));
        Assert.True(rb.StartedAt >= ra.EndedAt, $"b started {rb.StartedAt:O}, a ended {ra.EndedAt:O}");
        Assert.True(rc.StartedAt >= rb.EndedAt, $"c started {rc.StartedAt:O}, b ended {rb.EndedAt:O}");
        Assert.Equal([a], rb.After.AsEnumerable());
        Assert.Equal([b], (await fixture.Queue.GetAsync(a))!.Continuations.AsEnumerable());
    }

    [Fact]
    public async Task A_failed_parent_cancels_its_child_naming_it_and_the_cancel_runs_down_the_chain()
    {
        var ok = await fixture.Queue.EnqueueAsync(new WelcomeEmail("ok@b.c"));
        var bad = await fixture.Queue.EnqueueAsync(new Fail("parent broke"));
        var child = await AfterAsync(new WelcomeEmail("child@b.c"), ContinuationPolicy.Success, ok, bad);
        var grandchild = await AfterAsync(new WelcomeEmail("grandchild@b.c"), ContinuationPolicy.Success, child);

        var rc = await WaitForTerminalAsync(child);
        var rg = await WaitForTerminalAsync(grandchild);

        Assert.Equal(TaskRunStatus.Cancelled, rc.Status);
        Assert.Contains(bad.ToString(), rc.Error, StringComparison.Ordinal);
        Assert.Contains("failed", rc.Error, StringComparison.Ordinal);
        Assert.Empty(rc.Attempts);
        Assert.Equal(TaskRunStatus.Cancelled, rg.Status);
        Assert.Contains(child.ToString(), rg.Error, StringComparison.Ordinal);

        // A replay of the cancelled child is an ordinary task: its parents have ended, so it waits for nothing and runs.
        var replay = await fixture.Queue.ReplayAsync(child);
        var replayed = await WaitForTerminalAsync(replay.NewTaskId!.Value);
        Assert.Equal((TaskRunStatus.Success, child), (replayed.Status, replayed.ReplayOf));
        Assert.Empty(replayed.After);
    }

    [Fact]
    public async Task The_finished_policy_runs_the_child_after_a_failed_parent_too()
    {
        var bad = await fixture.Queue.EnqueueAsync(new Fail("parent broke"));
        var child = await AfterAsync(new WelcomeEmail("cleanup@b.c"), ContinuationPolicy.Finished, bad);

        var rc = await WaitForTerminalAsync(child);

        Assert.Equal(TaskRunStatus.Success, rc.Status);
        Assert.Equal(ContinuationPolicy.Finished, rc.AfterPolicy);
        Assert.True(rc.StartedAt >= (await fixture.Queue.GetAsync(bad))!.EndedAt);
    }

    [Fact]
    public async Task Parents_that_already_ended_count_at_once()
    {
        var done = await fixture.Queue.EnqueueAsync(new WelcomeEmail("done@b.c"));
        await WaitForTerminalAsync(done);

        var child = await AfterAsync(new WelcomeEmail("late@b.c"), ContinuationPolicy.Success, done);

        Assert.Equal(TaskRunStatus.Success, (await WaitForTerminalAsync(child)).Status);
        // A parent that had ended when the child registered answers its status and keeps no list.
        Assert.Empty((await fixture.Queue.GetAsync(done))!.Continuations);
    }

    [Fact]
    public async Task An_awaiting_task_can_be_cancelled_and_stays_cancelled_when_its_parent_ends()
    {
        var parent = await fixture.Queue.EnqueueAsync(new Sleep(800));
        var child = await AfterAsync(new WelcomeEmail("never@b.c"), ContinuationPolicy.Finished, parent);

        var cancel = await fixture.Queue.CancelAsync(child);
        await WaitForTerminalAsync(parent);

        Assert.True(cancel.Accepted, cancel.Reason);
        var rc = (await fixture.Queue.GetAsync(child))!;
        Assert.Equal(TaskRunStatus.Cancelled, rc.Status);
        Assert.Empty(rc.Attempts);
    }

    [Fact]
    public async Task Unknown_repeated_or_too_many_parents_are_refused_naming_the_field()
    {
        var known = await fixture.Queue.EnqueueAsync(new WelcomeEmail("known@b.c"));

        var unknown = await Assert.ThrowsAsync<TaskValidationException>(() => AfterAsync(new WelcomeEmail("x@b.c"), ContinuationPolicy.Success, known, Guid.NewGuid()));
        var twice = await Assert.ThrowsAsync<TaskValidationException>(() => AfterAsync(new WelcomeEmail("x@b.c"), ContinuationPolicy.Success, known, known));
        var many = await Assert.ThrowsAsync<TaskValidationException>(() =>
            AfterAsync(new WelcomeEmail("x@b.c"), ContinuationPolicy.Success, [.. Enumerable.Range(0, 101).Select(_ => Guid.NewGuid())]));

        Assert.Equal("after[1]", unknown.Field);
        Assert.Equal("after[1]", twice.Field);
        Assert.Equal("after", many.Field);
    }
}
