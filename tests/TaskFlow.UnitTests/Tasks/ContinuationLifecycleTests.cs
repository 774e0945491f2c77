using System.Collections.Immutable;
using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.UnitTests.Tasks;

public sealed class ContinuationLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("5b0e2f1c-0000-4000-8000-0000000000c1");
    private static readonly Guid P1 = Guid.Parse("5b0e2f1c-0000-4000-8000-0000000000a1");
    private static readonly Guid P2 = Guid.Parse("5b0e2f1c-0000-4000-8000-0000000000a2");
    private static readonly Guid Batch = Guid.Parse("5b0e2f1c-0000-4000-8000-0000000000b1");

    private static TaskTransition Create(ContinuationPolicy policy = ContinuationPolicy.Success, double delaySeconds = 0, Guid? afterBatch = null) =>
        TaskLifecycle.Create(Id, new TaskSpec
        {
            Name = "child", ArgsJson = "{}", Priority = 4, DelaySeconds = delaySeconds,
            After = afterBatch is null ? [P1, P2] : [], AfterPolicy = policy, AfterBatch = afterBatch,
        }, TaskOptions.Default, T0);

    private static TaskTransition Finish(TaskState state, Guid parent, TaskRunStatus status, double at = 1) =>
        TaskLifecycle.Apply(state, new TaskEvent.ParentFinished(T0.AddSeconds(at), parent, status));

    [Fact]
    public void A_continuation_is_created_awaiting_and_registers_with_every_parent()
    {
        var transition = Create();

        Assert.Equal(TaskRunStatus.Awaiting, transition.State.Status);
        Assert.Equal([P1, P2], transition.State.Record.After.AsEnumerable());
        var register = Assert.IsType<TaskEffect.RegisterWithParents>(Assert.Single(transition.Effects));
        Assert.Equal([P1, P2], register.Parents.AsEnumerable());
        Assert.Null(register.Batch);
    }

    /// <summary>The outcome of a two-parent continuation, by policy and by what its parents ended in.</summary>
    public static TheoryData<ContinuationPolicy, TaskRunStatus, TaskRunStatus, TaskRunStatus, Guid?> Outcomes => new()
    {
        { ContinuationPolicy.Success, TaskRunStatus.Success, TaskRunStatus.Success, TaskRunStatus.Pending, null },
        { ContinuationPolicy.Success, TaskRunStatus.Failed, TaskRunStatus.Success, TaskRunStatus.Cancelled, P1 },
        { ContinuationPolicy.Success, TaskRunStatus.Success, TaskRunStatus.Cancelled, TaskRunStatus.Cancelled, P2 },
        { ContinuationPolicy.Success, TaskRunStatus.Interrupted, TaskRunStatus.Failed, TaskRunStatus.Cancelled, P1 },
        { ContinuationPolicy.Finished, TaskRunStatus.Success, TaskRunStatus.Success, TaskRunStatus.Pending, null },
        { ContinuationPolicy.Finished, TaskRunStatus.Failed, TaskRunStatus.Cancelled, TaskRunStatus.Pending, null },
    };

    [Theory, MemberData(nameof(Outcomes))]
    public void Once_every_parent_ended_the_policy_decides(ContinuationPolicy policy, TaskRunStatus first, TaskRunStatus second,
        TaskRunStatus expected, Guid? named)
    {
        // The second parent's end arrives first: order of arrival does not matter, order in 'after' does.
        var one = Finish(Create(policy).State, P2, second);
        Assert.Equal(TaskRunStatus.Awaiting, one.State.Status);
        Assert.Empty(one.Effects);

        var both = Finish(one.State, P1, first, at: 2);

        Assert.Equal(expected, both.State.Status);
        if (expected == TaskRunStatus.Pending)
        {
            Assert.Equal([new TaskEffect.RequestSlot(4, T0.AddSeconds(2))], both.Effects.AsEnumerable());
            Assert.Null(both.State.Record.Error);
        }
        else
        {
            Assert.Empty(both.Effects);
            Assert.Equal(T0.AddSeconds(2), both.State.Record.EndedAt);
            Assert.Equal(ContinuationLifecycle.ParentNotSucceeded, both.State.Record.ErrorType);
            Assert.Contains(named!.Value.ToString(), both.State.Record.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>Events an awaiting task ignores or refuses, and what it does with the ones it takes.</summary>
    public static TheoryData<string, TaskEvent, TaskRunStatus, bool, bool> AwaitingTable => new()
    {
        { "a repeated end", new TaskEvent.ParentFinished(T0.AddSeconds(3), P1, TaskRunStatus.Failed), TaskRunStatus.Awaiting, false, false },
        { "a stranger's end", new TaskEvent.ParentFinished(T0.AddSeconds(3), Batch, TaskRunStatus.Success), TaskRunStatus.Awaiting, false, true },
        { "a slot grant", new TaskEvent.SlotGranted(T0.AddSeconds(3)), TaskRunStatus.Awaiting, false, true },
        { "a wake-up", new TaskEvent.WakeUpDue(T0.AddSeconds(3)), TaskRunStatus.Awaiting, false, true },
        { "a cancel", new TaskEvent.CancelRequested(T0.AddSeconds(3)), TaskRunStatus.Cancelled, true, false },
        { "a recovery", new TaskEvent.Recovered(T0.AddSeconds(3), RequeuePending: false), TaskRunStatus.Awaiting, false, false },
        { "a continuation of its own", new TaskEvent.ContinuationAdded(T0.AddSeconds(3), Batch), TaskRunStatus.Awaiting, true, false },
    };

    [Theory, MemberData(nameof(AwaitingTable))]
    public void An_awaiting_task_with_one_parent_ended(string what, TaskEvent evt, TaskRunStatus expected, bool changed, bool refused)
    {
        var awaiting = Finish(Create().State, P1, TaskRunStatus.Success).State;

        var transition = TaskLifecycle.Apply(awaiting, evt);

        Assert.True(expected == transition.State.Status, what);
        Assert.True(changed == transition.Changed, what);
        Assert.True(refused == transition.Refused, what);
    }

    [Fact]
    public void A_recovered_awaiting_task_registers_again_only_with_the_parents_it_has_not_heard_from()
    {
        var awaiting = Finish(Create().State, P1, TaskRunStatus.Success).State;

        var transition = TaskLifecycle.Apply(awaiting, new TaskEvent.Recovered(T0.AddSeconds(5), RequeuePending: true));

        var register = Assert.IsType<TaskEffect.RegisterWithParents>(Assert.Single(transition.Effects));
        Assert.Equal([P2], register.Parents.AsEnumerable());
    }

    [Fact]
    public void A_delay_given_at_enqueue_still_holds_when_the_parents_end_before_it()
    {
        var awaiting = Create(delaySeconds: 60).State;
        var released = Finish(Finish(awaiting, P1, TaskRunStatus.Success).State, P2, TaskRunStatus.Success, at: 10);

        Assert.Equal(TaskRunStatus.Pending, released.State.Status);
        Assert.Equal([new TaskEffect.ScheduleWakeUp(T0.AddSeconds(60))], released.Effects.AsEnumerable());
    }

    [Fact]
    public void A_batch_then_task_waits_for_its_batch_and_runs_when_told()
    {
        var created = Create(afterBatch: Batch);
        var register = Assert.IsType<TaskEffect.RegisterWithParents>(Assert.Single(created.Effects));
        Assert.Empty(register.Parents);
        Assert.Equal(Batch, register.Batch);

        var released = Finish(created.State, Batch, TaskRunStatus.Success);

        Assert.Equal(TaskRunStatus.Pending, released.State.Status);
    }

    /// <summary>Every way a task ends, from a running task with a waiting continuation and a batch.</summary>
    public static TheoryData<string, TaskEvent, TaskRunStatus> Endings => new()
    {
        { "success", new TaskEvent.AttemptSucceeded(T0.AddSeconds(2)), TaskRunStatus.Success },
        { "failure", new TaskEvent.AttemptFailed(T0.AddSeconds(2), "boom", "X", null), TaskRunStatus.Failed },
        { "cancel", new TaskEvent.AttemptCancelled(T0.AddSeconds(2)), TaskRunStatus.Cancelled },
        { "interruption", new TaskEvent.Recovered(T0.AddSeconds(2), RequeuePending: false), TaskRunStatus.Interrupted },
    };

    [Theory, MemberData(nameof(Endings))]
    public void A_task_that_ends_tells_its_continuations_and_its_batch_after_the_store(string what, TaskEvent evt, TaskRunStatus expected)
    {
        var parent = TaskLifecycle.Create(P1, new TaskSpec { Name = "parent", ArgsJson = "{}", BatchId = Batch }, TaskOptions.Default with { Retries = 0 }, T0).State;
        parent = TaskLifecycle.Apply(parent, new TaskEvent.ContinuationAdded(T0, Id)).State;
        var running = TaskLifecycle.Apply(parent, new TaskEvent.SlotGranted(T0.AddSeconds(1))).State;

        var transition = TaskLifecycle.Apply(running, evt);

        Assert.True(expected == transition.State.Status, what);
        var notice = Assert.Single(transition.Effects.OfType<TaskEffect.NotifyFinished>());
        Assert.Equal([Id], notice.Continuations.AsEnumerable());
        Assert.Equal(Batch, notice.Batch);
        Assert.Equal(expected, notice.Status);
        // Recovery of an ended task sends the notice again; a continuation added after the end is not stored.
        Assert.Single(TaskLifecycle.Apply(transition.State, new TaskEvent.Recovered(T0.AddSeconds(9), true)).Effects.OfType<TaskEffect.NotifyFinished>());
        Assert.False(TaskLifecycle.Apply(transition.State, new TaskEvent.ContinuationAdded(T0.AddSeconds(9), P2)).Changed);
    }

    [Fact]
    public void A_task_nobody_waits_for_ends_without_a_notice()
    {
        var running = TaskLifecycle.Apply(TaskLifecycle.Create(P1, new TaskSpec { Name = "p", ArgsJson = "{}" }, TaskOptions.Default, T0).State,
            new TaskEvent.SlotGranted(T0)).State;

        Assert.DoesNotContain(TaskLifecycle.Apply(running, new TaskEvent.AttemptSucceeded(T0)).Effects, e => e is TaskEffect.NotifyFinished);
    }
}
