using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.UnitTests.Tasks;

/// <summary>A task created with <see cref="TaskSpec.RunAt"/>: due at that instant, or at once when it has passed.</summary>
public sealed class RunAtLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("5b0e2f1c-0000-4000-8000-000000000002");

    private static TaskTransition Create(DateTimeOffset runAt) =>
        TaskLifecycle.Create(Id, new TaskSpec { Name = "report", ArgsJson = "{}", RunAt = runAt }, TaskOptions.Default, T0);

    [Fact]
    public void A_task_run_at_a_later_instant_is_pending_until_exactly_that_instant()
    {
        var runAt = T0.AddMinutes(90).AddTicks(12_345);

        var transition = Create(runAt);

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        Assert.Equal(runAt, transition.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.ScheduleWakeUp(runAt)], transition.Effects.AsEnumerable());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public void A_task_run_at_an_instant_already_reached_asks_for_a_slot_now(int secondsFromNow)
    {
        var transition = Create(T0.AddSeconds(secondsFromNow));

        Assert.Null(transition.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.RequestSlot(transition.State.Record.Priority, T0)], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_wake_up_that_fires_before_the_instant_is_armed_again_and_starts_nothing()
    {
        var runAt = T0.AddMinutes(90);
        var waiting = Create(runAt).State;

        var early = TaskLifecycle.Apply(waiting, new TaskEvent.WakeUpDue(runAt.AddMilliseconds(-2)));
        var due = TaskLifecycle.Apply(waiting, new TaskEvent.WakeUpDue(runAt));

        Assert.False(early.Changed);
        Assert.Equal(runAt, early.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.ScheduleWakeUp(runAt)], early.Effects.AsEnumerable());
        Assert.True(due.Changed);
        Assert.Null(due.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.RequestSlot(due.State.Record.Priority, runAt)], due.Effects.AsEnumerable());
    }
}
