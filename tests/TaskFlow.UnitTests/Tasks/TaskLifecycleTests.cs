using TaskFlow.Grains;
using TaskFlow.Tasks;

namespace TaskFlow.UnitTests.Tasks;

public sealed class TaskLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("5b0e2f1c-0000-4000-8000-000000000001");

    private static TaskSpec Spec(double delaySeconds = 0, int? priority = null) =>
        new() { Name = "send_welcome_email", ArgsJson = """{"address":"a@b.c"}""", DelaySeconds = delaySeconds, Priority = priority };

    private static TaskState Created(TaskOptions? options = null, double delaySeconds = 0) =>
        TaskLifecycle.Create(Id, Spec(delaySeconds), options ?? TaskOptions.Default, T0).State;

    private static TaskState Step(TaskState state, TaskEvent evt)
    {
        var transition = TaskLifecycle.Apply(state, evt);
        Assert.False(transition.Refused, transition.Refusal);
        return transition.State;
    }

    private static TaskEvent.AttemptFailed Failure(DateTimeOffset at) =>
        new(at, "boom", nameof(InvalidOperationException), "at Handler.RunAsync()");

    [Fact]
    public void A_new_task_is_pending_and_asks_for_a_slot_at_its_priority()
    {
        var transition = TaskLifecycle.Create(Id, Spec(priority: 7), TaskOptions.Default with { Priority = 2, Retries = 3 }, T0);

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        Assert.Equal(7, transition.State.Record.Priority);
        Assert.Equal(3, transition.State.Record.MaxRetries);
        Assert.Equal(T0, transition.State.Record.CreatedAt);
        Assert.Equal([new TaskEffect.RequestSlot(7, T0)], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_delayed_task_is_pending_with_its_due_time_and_a_wake_up_instead_of_a_slot_request()
    {
        var transition = TaskLifecycle.Create(Id, Spec(delaySeconds: 30), TaskOptions.Default, T0);

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        Assert.Equal(T0.AddSeconds(30), transition.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.ScheduleWakeUp(T0.AddSeconds(30))], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Success_records_the_attempt_ends_the_task_and_releases_the_slot()
    {
        var running = Step(Created(TaskOptions.Default with { TimeoutSeconds = 5 }), new TaskEvent.SlotGranted(T0.AddSeconds(1)));
        Assert.Equal(TaskRunStatus.Running, running.Status);

        var transition = TaskLifecycle.Apply(running, new TaskEvent.AttemptSucceeded(T0.AddSeconds(1.2)));

        var r = transition.State.Record;
        Assert.Equal(TaskRunStatus.Success, r.Status);
        Assert.Equal(T0.AddSeconds(1), r.StartedAt);
        Assert.Equal(T0.AddSeconds(1.2), r.EndedAt);
        Assert.Equal(0.2, r.DurationSeconds!.Value, 6);
        Assert.Equal(0, r.RetriesUsed);
        var attempt = Assert.Single(r.Attempts);
        Assert.Equal(1, attempt.Attempt);
        Assert.Null(attempt.Error);
        Assert.Equal([new TaskEffect.ReleaseSlot()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Each_attempt_records_the_silo_it_runs_on_and_keeps_it_after_the_attempt_ends()
    {
        var first = Step(Created(TaskOptions.Default with { Retries = 1, DelaySeconds = 1 }), new TaskEvent.SlotGranted(T0, "10.0.0.2:11111"));
        var retrying = Step(first, new TaskEvent.AttemptFailed(T0.AddSeconds(1), "boom", "System.Exception", null));
        var second = Step(Step(retrying, new TaskEvent.WakeUpDue(T0.AddSeconds(2))), new TaskEvent.SlotGranted(T0.AddSeconds(2), "10.0.0.3:11111"));

        var done = Step(second, new TaskEvent.AttemptSucceeded(T0.AddSeconds(3)));

        Assert.Equal(["10.0.0.2:11111", "10.0.0.3:11111"], done.Record.Attempts.Select(a => a.Host));
    }

    [Fact]
    public void Granting_a_slot_starts_the_attempt_with_the_tasks_timeout()
    {
        var transition = TaskLifecycle.Apply(Created(TaskOptions.Default with { TimeoutSeconds = 2.5 }), new TaskEvent.SlotGranted(T0));

        Assert.Equal([new TaskEffect.StartAttempt(1, TimeSpan.FromSeconds(2.5))], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Retry_waits_delay_times_backoff_to_the_power_of_the_retry()
    {
        var options = TaskOptions.Default with { Retries = 3, DelaySeconds = 0.2, Backoff = 2 };
        var state = Created(options);
        var now = T0;
        var waits = new List<double>();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            state = Step(state, new TaskEvent.SlotGranted(now));
            var failed = TaskLifecycle.Apply(state, Failure(now));
            state = failed.State;
            Assert.Equal(TaskRunStatus.Retrying, state.Status);
            var due = state.Record.NextAttemptAt!.Value;
            waits.Add((due - now).TotalSeconds);
            Assert.Equal([new TaskEffect.ReleaseSlot(), new TaskEffect.ScheduleWakeUp(due)], failed.Effects.AsEnumerable());
            now = due;
            state = Step(state, new TaskEvent.WakeUpDue(now));
            Assert.Equal(TaskRunStatus.Pending, state.Status);
        }

        Assert.Equal([0.2, 0.4, 0.8], waits.Select(w => Math.Round(w, 6)));
    }

    [Fact]
    public void A_task_fails_for_good_after_its_last_retry_with_every_attempt_recorded()
    {
        var state = Created(TaskOptions.Default with { Retries = 2 });

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            state = Step(state, new TaskEvent.SlotGranted(T0.AddSeconds(attempt)));
            state = Step(state, new TaskEvent.AttemptFailed(T0.AddSeconds(attempt + 0.5), $"boom {attempt}", "IOException", "stack"));
        }

        var r = state.Record;
        Assert.Equal(TaskRunStatus.Failed, r.Status);
        Assert.Equal(2, r.RetriesUsed);
        Assert.Equal(3, r.Attempts.Length);
        Assert.Equal("boom 3", r.Error);
        Assert.Equal("IOException", r.ErrorType);
        Assert.All(r.Attempts, a => Assert.Equal("stack", a.StackTrace));
        Assert.Equal(T0.AddSeconds(3.5), r.EndedAt);
        Assert.Equal(2.5, r.DurationSeconds!.Value, 6);
    }

    [Fact]
    public void A_task_without_retries_fails_on_its_first_failure()
    {
        var running = Step(Created(), new TaskEvent.SlotGranted(T0));

        var transition = TaskLifecycle.Apply(running, Failure(T0.AddSeconds(1)));

        Assert.Equal(TaskRunStatus.Failed, transition.State.Status);
        Assert.Equal([new TaskEffect.ReleaseSlot()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_zero_delay_retry_goes_straight_back_to_the_queue()
    {
        var running = Step(Created(TaskOptions.Default with { Retries = 1 }), new TaskEvent.SlotGranted(T0));

        var transition = TaskLifecycle.Apply(running, Failure(T0));

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        Assert.Null(transition.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.ReleaseSlot(), new TaskEffect.RequestSlot(0, T0)], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_timed_out_attempt_counts_as_a_failed_attempt_and_is_retried()
    {
        var running = Step(Created(TaskOptions.Default with { Retries = 1, DelaySeconds = 1, TimeoutSeconds = 2 }), new TaskEvent.SlotGranted(T0));

        var state = Step(running, new TaskEvent.AttemptFailed(T0.AddSeconds(2), "The attempt ran longer than its timeout of 2 s.", nameof(TimeoutException), null));

        Assert.Equal(TaskRunStatus.Retrying, state.Status);
        Assert.Equal(nameof(TimeoutException), state.Record.ErrorType);
        Assert.Equal(nameof(TimeoutException), state.Record.Attempts[0].ErrorType);
        Assert.Equal(T0.AddSeconds(3), state.Record.NextAttemptAt);
    }

    [Fact]
    public void Cancelling_a_pending_task_cancels_it_at_once_and_leaves_the_queue()
    {
        var transition = TaskLifecycle.Apply(Created(), new TaskEvent.CancelRequested(T0.AddSeconds(1)));

        Assert.Equal(TaskRunStatus.Cancelled, transition.State.Status);
        Assert.Equal(T0.AddSeconds(1), transition.State.Record.EndedAt);
        Assert.Empty(transition.State.Record.Attempts);
        Assert.Equal([new TaskEffect.WithdrawRequest()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_cancelled_task_that_is_then_granted_a_slot_gives_it_back_without_running()
    {
        var cancelled = Step(Created(), new TaskEvent.CancelRequested(T0));

        var transition = TaskLifecycle.Apply(cancelled, new TaskEvent.SlotGranted(T0.AddSeconds(1)));

        Assert.True(transition.Refused);
        Assert.Equal(TaskRunStatus.Cancelled, transition.State.Status);
        Assert.Equal([new TaskEffect.ReleaseSlot()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Cancelling_a_retrying_task_drops_its_wake_up()
    {
        var running = Step(Created(TaskOptions.Default with { Retries = 1, DelaySeconds = 10 }), new TaskEvent.SlotGranted(T0));
        var retrying = Step(running, Failure(T0));

        var transition = TaskLifecycle.Apply(retrying, new TaskEvent.CancelRequested(T0.AddSeconds(1)));

        Assert.Equal(TaskRunStatus.Cancelled, transition.State.Status);
        Assert.Null(transition.State.Record.NextAttemptAt);
        Assert.Equal([new TaskEffect.CancelWakeUp()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Cancelling_a_running_task_signals_its_token_and_it_ends_cancelled_when_the_handler_stops()
    {
        var running = Step(Created(TaskOptions.Default with { Retries = 3 }), new TaskEvent.SlotGranted(T0));

        var requested = TaskLifecycle.Apply(running, new TaskEvent.CancelRequested(T0.AddSeconds(1)));
        Assert.Equal(TaskRunStatus.Running, requested.State.Status);
        Assert.True(requested.State.Record.CancelRequested);
        Assert.Equal([new TaskEffect.SignalCancellation()], requested.Effects.AsEnumerable());

        // The handler threw on its cancelled token: the user's cancel wins over the three retries left.
        var ended = Step(requested.State, Failure(T0.AddSeconds(2)));
        Assert.Equal(TaskRunStatus.Cancelled, ended.Status);
    }

    [Fact]
    public void Cancelling_a_finished_task_is_refused()
    {
        var done = Step(Step(Created(), new TaskEvent.SlotGranted(T0)), new TaskEvent.AttemptSucceeded(T0));

        var transition = TaskLifecycle.Apply(done, new TaskEvent.CancelRequested(T0));

        Assert.True(transition.Refused);
        Assert.Contains("success", transition.Refusal, StringComparison.Ordinal);
        Assert.Empty(transition.Effects);
    }

    [Fact]
    public void A_task_found_running_after_a_crash_runs_again_when_registered_to_requeue()
    {
        var running = Step(Created(), new TaskEvent.SlotGranted(T0));

        var transition = TaskLifecycle.Apply(running, new TaskEvent.Recovered(T0.AddMinutes(1), RequeuePending: true));

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        Assert.Equal("Interrupted", transition.State.Record.Attempts[0].ErrorType);
        Assert.Equal([new TaskEffect.ReleaseSlot(), new TaskEffect.RequestSlot(0, T0.AddMinutes(1))], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_task_found_running_after_a_crash_ends_interrupted_when_not_registered_to_requeue()
    {
        var running = Step(Created(TaskOptions.Default with { RequeueOnInterrupt = false }), new TaskEvent.SlotGranted(T0));

        var transition = TaskLifecycle.Apply(running, new TaskEvent.Recovered(T0.AddMinutes(1), RequeuePending: true));

        Assert.Equal(TaskRunStatus.Interrupted, transition.State.Status);
        Assert.Equal(T0.AddMinutes(1), transition.State.Record.EndedAt);
        Assert.Equal([new TaskEffect.ReleaseSlot()], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void An_attempt_stopped_on_a_cut_off_silo_is_queued_again_with_the_reason_in_the_attempt()
    {
        var running = Step(Created(), new TaskEvent.SlotGranted(T0, "10.0.0.3:11111"));
        var outcome = new AttemptOutcome { Result = AttemptResult.Interrupted, EndedAt = T0.AddSeconds(4), Error = "cut off" };

        var transition = TaskLifecycle.Apply(running, outcome.ToEvent());

        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
        var attempt = Assert.Single(transition.State.Record.Attempts);
        Assert.Equal(("Interrupted", "cut off", T0.AddSeconds(4)), (attempt.ErrorType, attempt.Error, attempt.EndedAt));
        Assert.Equal([new TaskEffect.ReleaseSlot(), new TaskEffect.RequestSlot(0, T0.AddSeconds(4))], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void A_task_that_keeps_killing_its_host_stops_being_requeued()
    {
        var state = Created();
        for (var i = 0; i < TaskLifecycle.MaxInterruptions; i++)
        {
            state = Step(state, new TaskEvent.SlotGranted(T0));
            state = Step(state, new TaskEvent.Recovered(T0, RequeuePending: true));
            Assert.Equal(TaskRunStatus.Pending, state.Status);
        }

        state = Step(state, new TaskEvent.SlotGranted(T0));
        state = Step(state, new TaskEvent.Recovered(T0, RequeuePending: true));

        Assert.Equal(TaskRunStatus.Interrupted, state.Status);
    }

    [Fact]
    public void A_pending_task_found_by_a_fresh_activation_asks_for_a_slot_again_without_a_write()
    {
        var transition = TaskLifecycle.Apply(Created(), new TaskEvent.Recovered(T0.AddMinutes(1), RequeuePending: true));

        Assert.False(transition.Changed);
        Assert.Equal([new TaskEffect.RequestSlot(0, T0)], transition.Effects.AsEnumerable());
    }

    [Fact]
    public void Pending_tasks_end_interrupted_after_a_restart_when_requeue_pending_is_off()
    {
        var transition = TaskLifecycle.Apply(Created(), new TaskEvent.Recovered(T0.AddMinutes(1), RequeuePending: false));

        Assert.Equal(TaskRunStatus.Interrupted, transition.State.Status);
    }

    [Fact]
    public void A_late_attempt_report_for_a_task_no_longer_running_is_refused()
    {
        var transition = TaskLifecycle.Apply(Created(), new TaskEvent.AttemptSucceeded(T0));

        Assert.True(transition.Refused);
        Assert.Equal(TaskRunStatus.Pending, transition.State.Status);
    }

    [Fact]
    public void A_success_after_failures_keeps_the_failures_in_the_attempts_but_has_no_error()
    {
        var state = Step(Created(TaskOptions.Default with { Retries = 1 }), new TaskEvent.SlotGranted(T0));
        state = Step(state, Failure(T0));
        state = Step(state, new TaskEvent.SlotGranted(T0.AddSeconds(1)));
        state = Step(state, new TaskEvent.AttemptSucceeded(T0.AddSeconds(2)));

        Assert.Equal(TaskRunStatus.Success, state.Status);
        Assert.Null(state.Record.Error);
        Assert.Equal("boom", state.Record.Attempts[0].Error);
        Assert.Equal(1, state.Record.RetriesUsed);
    }
}
