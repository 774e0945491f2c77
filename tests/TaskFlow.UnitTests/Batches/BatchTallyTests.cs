using TaskFlow.Batches;

namespace TaskFlow.UnitTests.Batches;

public sealed class BatchTallyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);

    /// <summary>What one report does to a batch of three whose member 0 already ended in success.</summary>
    public static TheoryData<string, int, TaskRunStatus, int, bool> Reports => new()
    {
        { "a new member's end is counted", 1, TaskRunStatus.Failed, 2, true },
        { "a repeated report counts once", 0, TaskRunStatus.Success, 1, false },
        { "a repeat with another status counts once", 0, TaskRunStatus.Failed, 1, false },
        { "an unfinished status is not an end", 2, TaskRunStatus.Running, 1, false },
        { "a position outside the batch is ignored", 3, TaskRunStatus.Success, 1, false },
        { "a negative position is ignored", -1, TaskRunStatus.Success, 1, false },
    };

    [Theory, MemberData(nameof(Reports))]
    public void A_report(string what, int index, TaskRunStatus status, int ended, bool changed)
    {
        var state = BatchTally.Count(BatchTally.Open(3, null, T0), 0, TaskRunStatus.Success);

        var next = BatchTally.Count(state, index, status);

        Assert.True(ended == next.EndedCount, what);
        Assert.True(changed == !ReferenceEquals(state, next), what);
        Assert.False(next.Done, what);
    }

    [Fact]
    public void The_batch_is_done_when_its_last_member_ends_and_counts_by_status()
    {
        var then = Guid.NewGuid();
        var state = BatchTally.Open(1_000, then, T0);
        for (var i = 999; i >= 1; i--) state = BatchTally.Count(state, i, i % 10 == 0 ? TaskRunStatus.Failed : TaskRunStatus.Success);
        Assert.False(state.Done);
        Assert.Equal([0], BatchTally.Unended(state));

        state = BatchTally.Count(state, 0, TaskRunStatus.Cancelled);

        Assert.True(state.Done);
        Assert.Equal(then, state.ThenTaskId);
        Assert.Equal(900, state.Counts[TaskRunStatus.Success]);
        Assert.Equal(99, state.Counts[TaskRunStatus.Failed]);
        Assert.Equal(1, state.Counts[TaskRunStatus.Cancelled]);
        Assert.Equal(125, state.Ended.Length);
        Assert.Empty(BatchTally.Unended(state));
    }

    [Fact]
    public void Counts_merge_the_ended_with_the_current_statuses_of_the_others()
    {
        var state = BatchTally.Count(BatchTally.Open(4, null, T0), 2, TaskRunStatus.Success);

        var counts = BatchTally.Merge(state, [TaskRunStatus.Running, TaskRunStatus.Pending, TaskRunStatus.Pending]);

        Assert.Equal(1, counts[TaskRunStatus.Success]);
        Assert.Equal(1, counts[TaskRunStatus.Running]);
        Assert.Equal(2, counts[TaskRunStatus.Pending]);
    }

    [Fact]
    public void An_empty_batch_cannot_be_opened() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchTally.Open(0, null, T0));
}
