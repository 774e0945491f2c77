using TaskFlow.Dispatch;
using TaskFlow.Grains;

namespace TaskFlow.UnitTests.Dispatch;

public sealed class SlotQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private static SlotRequest Request(int priority, string name = "t", int secondsAfter = 0) =>
        new(Guid.NewGuid(), name, priority, T0.AddSeconds(secondsAfter));

    [Fact]
    public void Higher_priority_runs_first_and_equal_priorities_run_in_arrival_order()
    {
        var queue = new SlotQueue(1, _ => null, Lease);
        var blocker = Request(0);
        queue.Enqueue(blocker);
        Assert.Equal([blocker], queue.TakeGrants(T0));

        SlotRequest[] waiting = [Request(1), Request(10), Request(5), Request(10)];
        foreach (var r in waiting) queue.Enqueue(r);

        var order = new List<SlotRequest>();
        var running = blocker;
        for (var i = 0; i < waiting.Length; i++)
        {
            queue.Release(running.TaskId);
            running = Assert.Single(queue.TakeGrants(T0));
            order.Add(running);
        }

        Assert.Equal([waiting[1], waiting[3], waiting[2], waiting[0]], order);
    }

    [Fact]
    public void Waiting_and_running_are_counted_by_priority_and_name_as_requests_come_go_and_start()
    {
        var queue = new SlotQueue(1, _ => null, Lease);
        var first = Request(5, "email");
        var withdrawn = Request(5, "email");
        queue.Enqueue(first);
        queue.Enqueue(withdrawn);
        queue.Enqueue(Request(5, "report"));
        queue.Enqueue(Request(0, "email"));
        queue.Withdraw(withdrawn.TaskId);

        Assert.Equal([first], queue.TakeGrants(T0));

        Assert.Equal(new Dictionary<(int, string), int> { [(5, "report")] = 1, [(0, "email")] = 1 }, queue.QueuedByPriorityAndName());
        Assert.Equal(new Dictionary<int, int> { [5] = 1, [0] = 1 }, queue.QueuedByPriority());
        Assert.Equal(new Dictionary<string, int> { ["email"] = 1 }, queue.RunningByName());
        queue.Release(first.TaskId);
        Assert.Empty(queue.RunningByName());
    }

    [Fact]
    public void Never_grants_more_than_the_global_limit()
    {
        var queue = new SlotQueue(3, _ => null, Lease);
        for (var i = 0; i < 10; i++) queue.Enqueue(Request(0));

        Assert.Equal(3, queue.TakeGrants(T0).Count);
        Assert.Empty(queue.TakeGrants(T0));
        Assert.Equal(3, queue.Running);
        Assert.Equal(7, queue.Waiting);
    }

    [Fact]
    public void A_per_task_limit_holds_back_only_that_task()
    {
        var queue = new SlotQueue(10, name => name == "report" ? TaskOptions.Default with { MaxConcurrency = 1 } : null, Lease);
        queue.Enqueue(Request(5, "report"));
        queue.Enqueue(Request(5, "report"));
        queue.Enqueue(Request(0, "email"));
        queue.Enqueue(Request(0, "email"));

        var grants = queue.TakeGrants(T0);

        Assert.Equal(["report", "email", "email"], grants.Select(g => g.Name));
        Assert.Equal(1, queue.Waiting);
    }

    [Fact]
    public void An_earlier_due_time_goes_first_among_equal_priorities()
    {
        var queue = new SlotQueue(1, _ => null, Lease);
        var later = Request(0, secondsAfter: 5);
        var earlier = Request(0, secondsAfter: 1);
        queue.Enqueue(later);
        queue.Enqueue(earlier);

        Assert.Equal([earlier], queue.TakeGrants(T0));
    }

    [Fact]
    public void A_withdrawn_request_is_never_granted()
    {
        var queue = new SlotQueue(5, _ => null, Lease);
        var kept = Request(0);
        var withdrawn = Request(9);
        queue.Enqueue(kept);
        queue.Enqueue(withdrawn);

        Assert.True(queue.Withdraw(withdrawn.TaskId));

        Assert.Equal([kept], queue.TakeGrants(T0));
    }

    [Fact]
    public void A_task_is_queued_once_however_often_it_asks()
    {
        var queue = new SlotQueue(5, _ => null, Lease);
        var request = Request(0);

        Assert.True(queue.Enqueue(request));
        Assert.False(queue.Enqueue(request));
        queue.TakeGrants(T0);
        Assert.False(queue.Enqueue(request));

        Assert.Equal(1, queue.Running);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public void Queued_requests_are_counted_by_priority()
    {
        var queue = new SlotQueue(1, _ => null, Lease);
        queue.Enqueue(Request(0));
        queue.TakeGrants(T0);
        queue.Enqueue(Request(9));
        queue.Enqueue(Request(9));
        queue.Enqueue(Request(1));

        var counts = queue.QueuedByPriority();

        Assert.Equal(2, counts[9]);
        Assert.Equal(1, counts[1]);
    }

    [Fact]
    public void A_slot_whose_lease_is_not_renewed_comes_back_and_a_renewed_one_stays()
    {
        var queue = new SlotQueue(2, _ => null, Lease);
        var silent = Request(0);
        var alive = Request(0);
        queue.Enqueue(silent);
        queue.Enqueue(alive);
        queue.TakeGrants(T0);

        queue.Renew(alive.TaskId, alive.Name, T0.AddSeconds(10));
        Assert.Empty(queue.ExpireLeases(T0.AddSeconds(14)));
        var expired = queue.ExpireLeases(T0.AddSeconds(15));

        Assert.Equal([silent.TaskId], expired);
        Assert.Equal(1, queue.Running);
        Assert.True(queue.IsRunning(alive.TaskId));
        Assert.Equal([alive.TaskId], queue.ExpireLeases(T0.AddSeconds(25)));
    }

    [Fact]
    public void A_renewal_from_a_task_the_queue_does_not_know_counts_against_the_limit()
    {
        var queue = new SlotQueue(1, _ => null, Lease);
        var runningElsewhere = Guid.NewGuid();

        queue.Renew(runningElsewhere, "t", T0);
        queue.Enqueue(Request(0));

        Assert.Empty(queue.TakeGrants(T0));
        Assert.Equal(1, queue.Running);
    }

    [Fact]
    public void A_rate_limit_holds_back_starts_beyond_its_budget_until_the_window_moves()
    {
        var limited = TaskOptions.Default with { RateLimit = new TaskRateLimit(2, 10) };
        var queue = new SlotQueue(10, name => name == "api" ? limited : null, Lease);
        for (var i = 0; i < 5; i++) queue.Enqueue(Request(0, "api"));
        queue.Enqueue(Request(0, "other"));

        var first = queue.TakeGrants(T0);
        Assert.Equal(["api", "api", "other"], first.Select(g => g.Name));
        Assert.Equal(T0.AddSeconds(10), queue.NextRateLimitOpening(T0.AddSeconds(1)));
        foreach (var g in first) queue.Release(g.TaskId);

        Assert.Empty(queue.TakeGrants(T0.AddSeconds(9.9)));
        Assert.Equal(2, queue.TakeGrants(T0.AddSeconds(10)).Count);
        Assert.Null(new SlotQueue(10, _ => null, Lease).NextRateLimitOpening(T0));
    }

    [Fact]
    public void A_rate_limit_opening_is_reported_only_while_a_held_back_request_still_waits()
    {
        var limited = TaskOptions.Default with { RateLimit = new TaskRateLimit(1, 10) };
        var queue = new SlotQueue(10, name => name == "api" ? limited : null, Lease);
        var first = Request(0, "api");
        var second = Request(0, "api");
        queue.Enqueue(first);
        queue.Enqueue(second);
        Assert.Equal([first], queue.TakeGrants(T0));
        Assert.Equal(T0.AddSeconds(10), queue.NextRateLimitOpening(T0.AddSeconds(1)));

        queue.Withdraw(second.TaskId);
        Assert.Null(queue.NextRateLimitOpening(T0.AddSeconds(1)));

        var third = Request(0, "api");
        queue.Enqueue(third);
        Assert.Equal(T0.AddSeconds(10), queue.NextRateLimitOpening(T0.AddSeconds(1)));
        Assert.Equal([third], queue.TakeGrants(T0.AddSeconds(10)));
        Assert.Null(queue.NextRateLimitOpening(T0.AddSeconds(11)));
    }
}
