using TaskFlow.Dispatch;
using TaskFlow.Grains;

namespace TaskFlow.UnitTests.Dispatch;

/// <summary>The per-silo batching of slot messages: the agent's outbox, the dispatcher's application of a batch in order,
/// and the routing of grants back to the silos their requests came from.</summary>
public sealed class SlotBatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private static SlotMessage Message(SlotMessageKind kind, Guid id, int priority = 0) => new(kind, id, "t", priority, T0);

    [Fact]
    public void The_first_message_after_a_quiet_spell_goes_at_once_and_a_batch_soon_after_another_waits_for_more()
    {
        var outbox = new SlotOutbox(Window, fullBatch: 4);
        outbox.Add(Message(SlotMessageKind.Request, Guid.NewGuid()));
        Assert.False(outbox.ShouldWait(T0));
        Assert.Single(outbox.Take(T0));

        outbox.Add(Message(SlotMessageKind.Release, Guid.NewGuid()));
        Assert.True(outbox.ShouldWait(T0));
        Assert.True(outbox.ShouldWait(T0 + Window / 2));
        Assert.False(outbox.ShouldWait(T0 + Window));
    }

    [Fact]
    public void A_full_batch_goes_without_waiting()
    {
        var outbox = new SlotOutbox(Window, fullBatch: 4);
        outbox.Add(Message(SlotMessageKind.Request, Guid.NewGuid()));
        outbox.Take(T0);

        for (var i = 0; i < 3; i++) outbox.Add(Message(SlotMessageKind.Request, Guid.NewGuid()));
        Assert.True(outbox.ShouldWait(T0));
        outbox.Add(Message(SlotMessageKind.Request, Guid.NewGuid()));
        Assert.False(outbox.ShouldWait(T0));
    }

    [Fact]
    public void A_batch_holds_every_waiting_message_in_the_order_sent_and_leaves_the_outbox_empty()
    {
        var outbox = new SlotOutbox(Window, fullBatch: 16);
        var messages = Enumerable.Range(0, 5).Select(i => Message((SlotMessageKind)i, Guid.NewGuid())).ToList();
        foreach (var m in messages) outbox.Add(m);

        Assert.Equal(messages, outbox.Take(T0));
        Assert.Equal(0, outbox.Count);
        Assert.Empty(outbox.Take(T0 + Window));
    }

    public static TheoryData<SlotMessageKind[], bool, bool> Sequences => new()
    {
        // one task's messages within one batch → waiting afterwards, running afterwards
        { [SlotMessageKind.Request], true, false },
        { [SlotMessageKind.Request, SlotMessageKind.Withdraw], false, false },
        { [SlotMessageKind.Withdraw, SlotMessageKind.Request], true, false },
        { [SlotMessageKind.Renew], false, true },
        // a re-run gives its slot back and asks again: it must wait again, not be lost as "already running"
        { [SlotMessageKind.Renew, SlotMessageKind.Release, SlotMessageKind.Request], true, false },
        { [SlotMessageKind.Renew, SlotMessageKind.Request, SlotMessageKind.Release], false, false },
        { [SlotMessageKind.Resynced], false, false },
    };

    [Theory, MemberData(nameof(Sequences))]
    public void A_batch_is_applied_in_the_order_its_messages_were_sent(SlotMessageKind[] kinds, bool waiting, bool running)
    {
        var queue = new SlotQueue(10, _ => null, Lease);
        var id = Guid.NewGuid();

        foreach (var kind in kinds) queue.Apply(Message(kind, id), T0);

        Assert.Equal(waiting, queue.IsWaiting(id));
        Assert.Equal(running, queue.IsRunning(id));
    }

    [Fact]
    public void Grants_are_grouped_per_silo_in_grant_order_and_each_route_is_used_once()
    {
        var routes = new GrantRoutes<string>();
        SlotRequest[] grants = [.. Enumerable.Range(0, 5).Select(i => new SlotRequest(Guid.NewGuid(), "t", 0, T0))];
        routes.Remember(grants[0].TaskId, "silo-a");
        routes.Remember(grants[1].TaskId, "silo-b");
        routes.Remember(grants[2].TaskId, "silo-a");
        routes.Remember(grants[3].TaskId, "silo-b");

        var byRoute = routes.Take(grants, out var unrouted);

        Assert.Equal([grants[0].TaskId, grants[2].TaskId], byRoute["silo-a"]);
        Assert.Equal([grants[1].TaskId, grants[3].TaskId], byRoute["silo-b"]);
        Assert.Equal([grants[4].TaskId], unrouted);
        Assert.Equal(0, routes.Count);
        Assert.Empty(routes.Take(grants[..1], out var again));
        Assert.Equal([grants[0].TaskId], again);
    }

    [Fact]
    public void A_task_that_asks_again_from_another_silo_is_granted_there_and_a_forgotten_one_nowhere()
    {
        var routes = new GrantRoutes<string>();
        var moved = new SlotRequest(Guid.NewGuid(), "t", 0, T0);
        var withdrawn = new SlotRequest(Guid.NewGuid(), "t", 0, T0);
        routes.Remember(moved.TaskId, "silo-a");
        routes.Remember(moved.TaskId, "silo-b");
        routes.Remember(withdrawn.TaskId, "silo-a");
        routes.Forget(withdrawn.TaskId);

        var byRoute = routes.Take([moved], out _);

        Assert.Equal(["silo-b"], byRoute.Keys);
        Assert.Equal(0, routes.Count);
    }
}
