using TaskFlow.Dispatch;
using TaskFlow.Grains;

namespace TaskFlow.UnitTests.Dispatch;

public sealed class SlotQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static SlotRequest Request(int priority, string name = "t", int secondsAfter = 0) =>
        new(Guid.NewGuid(), name, priority, T0.AddSeconds(secondsAfter));

    [Fact]
    public void Higher_priority_runs_first_and_equal_priorities_run_in_arrival_order()
    {
        var queue = new SlotQueue(1, _ => null);
        var blocker = Request(0);
        queue.Enqueue(blocker);
        Assert.Equal([blocker], queue.TakeGrants());

        SlotRequest[] waiting = [Request(1), Request(10), Request(5), Request(10)];
        foreach (var r in waiting) queue.Enqueue(r);

        var order = new List<SlotRequest>();
        var running = blocker;
        for (var i = 0; i < waiting.Length; i++)
        {
            queue.Release(running.TaskId);
            running = Assert.Single(queue.TakeGrants());
            order.Add(running);
        }

        Assert.Equal([waiting[1], waiting[3], waiting[2], waiting[0]], order);
    }

    [Fact]
    public void Never_grants_more_than_the_global_limit()
    {
        var queue = new SlotQueue(3, _ => null);
        for (var i = 0; i < 10; i++) queue.Enqueue(Request(0));

        Assert.Equal(3, queue.TakeGrants().Count);
        Assert.Empty(queue.TakeGrants());
        Assert.Equal(3, queue.Running);
        Assert.Equal(7, queue.Waiting);
    }

    [Fact]
    public void A_per_task_limit_holds_back_only_that_task()
    {
        var queue = new SlotQueue(10, name => name == "report" ? 1 : null);
        queue.Enqueue(Request(5, "report"));
        queue.Enqueue(Request(5, "report"));
        queue.Enqueue(Request(0, "email"));
        queue.Enqueue(Request(0, "email"));

        var grants = queue.TakeGrants();

        Assert.Equal(["report", "email", "email"], grants.Select(g => g.Name));
        Assert.Equal(1, queue.Waiting);
    }

    [Fact]
    public void An_earlier_due_time_goes_first_among_equal_priorities()
    {
        var queue = new SlotQueue(1, _ => null);
        var later = Request(0, secondsAfter: 5);
        var earlier = Request(0, secondsAfter: 1);
        queue.Enqueue(later);
        queue.Enqueue(earlier);

        Assert.Equal([earlier], queue.TakeGrants());
    }

    [Fact]
    public void A_withdrawn_request_is_never_granted()
    {
        var queue = new SlotQueue(5, _ => null);
        var kept = Request(0);
        var withdrawn = Request(9);
        queue.Enqueue(kept);
        queue.Enqueue(withdrawn);

        Assert.True(queue.Withdraw(withdrawn.TaskId));

        Assert.Equal([kept], queue.TakeGrants());
    }

    [Fact]
    public void A_task_is_queued_once_however_often_it_asks()
    {
        var queue = new SlotQueue(5, _ => null);
        var request = Request(0);

        Assert.True(queue.Enqueue(request));
        Assert.False(queue.Enqueue(request));
        queue.TakeGrants();
        Assert.False(queue.Enqueue(request));

        Assert.Equal(1, queue.Running);
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public void Queued_requests_are_counted_by_priority()
    {
        var queue = new SlotQueue(1, _ => null);
        queue.Enqueue(Request(0));
        queue.TakeGrants();
        queue.Enqueue(Request(9));
        queue.Enqueue(Request(9));
        queue.Enqueue(Request(1));

        var counts = queue.QueuedByPriority();

        Assert.Equal(2, counts[9]);
        Assert.Equal(1, counts[1]);
    }
}
