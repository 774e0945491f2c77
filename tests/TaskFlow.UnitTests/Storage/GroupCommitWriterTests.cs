using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.UnitTests.Storage;

public sealed class GroupCommitWriterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static PendingWrite.State Write(string key, string? expected = null) => new("t", key, "{}", expected);

    [Fact]
    public async Task Writes_queued_while_a_group_commits_go_together_in_the_next_group()
    {
        var committer = new ScriptedCommitter { HoldFirstGroup = true };
        await using var writer = Started(committer);

        await Task.WhenAll(await QueueBehindTheFirstGroupAsync(writer, committer, 5)).WaitAsync(Patience);

        Assert.Equal([1, 5], committer.GroupSizes);
        Assert.Equal((2, 6), (writer.Commits, writer.WritesCommitted));
    }

    [Fact]
    public async Task A_group_holds_at_most_MaxGroup_writes()
    {
        var committer = new ScriptedCommitter { HoldFirstGroup = true };
        await using var writer = Started(committer);

        await Task.WhenAll(await QueueBehindTheFirstGroupAsync(writer, committer, GroupCommitWriter.MaxGroup + 10)).WaitAsync(Patience);

        Assert.Equal([1, GroupCommitWriter.MaxGroup, 10], committer.GroupSizes);
    }

    [Fact]
    public async Task A_conflict_fails_only_its_own_write_and_the_others_get_their_next_version()
    {
        var committer = new ScriptedCommitter { Conflicts = ["stale"] };
        await using var writer = Started(committer);

        var created = writer.EnqueueAsync(Write("a"));
        var updated = writer.EnqueueAsync(Write("b", "41"));
        var stale = writer.EnqueueAsync(Write("c", "stale"));

        Assert.Equal("1", await created.WaitAsync(Patience));
        Assert.Equal("42", await updated.WaitAsync(Patience));
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => stale.WaitAsync(Patience));
        Assert.Contains("t/c", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(2, writer.WritesCommitted);
    }

    [Fact]
    public async Task A_group_the_store_could_not_commit_fails_as_unavailable_and_the_next_group_starts_afresh()
    {
        var committer = new ScriptedCommitter { FailNext = new IOException("connection reset") };
        await using var writer = Started(committer);

        var lost = await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => writer.EnqueueAsync(Write("a")).WaitAsync(Patience));
        var after = await writer.EnqueueAsync(Write("b")).WaitAsync(Patience);

        Assert.Contains("The Test task store could not commit: connection reset", lost.Message, StringComparison.Ordinal);
        Assert.Equal("1", after);
        Assert.Equal(1, committer.Resets);
        Assert.Equal((1, 1), (writer.Commits, writer.WritesCommitted));
    }

    [Fact]
    public async Task An_unexpected_error_fails_its_group_with_that_error_and_the_writer_goes_on()
    {
        var committer = new ScriptedCommitter { FailNext = new NotSupportedException("bug") };
        await using var writer = Started(committer);

        await Assert.ThrowsAsync<NotSupportedException>(() => writer.EnqueueAsync(Write("a")).WaitAsync(Patience));

        Assert.Equal("1", await writer.EnqueueAsync(Write("b")).WaitAsync(Patience));
    }

    [Fact]
    public async Task Disposing_commits_what_is_queued_then_refuses_writes_and_disposes_the_committer()
    {
        var committer = new ScriptedCommitter { HoldFirstGroup = true };
        var writer = Started(committer);
        var first = writer.EnqueueAsync(Write("a"));
        await committer.FirstGroupEntered.Task.WaitAsync(Patience);
        var queued = writer.EnqueueAsync(Write("b"));

        var disposing = writer.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => writer.EnqueueAsync(Write("c")));
        committer.ReleaseFirstGroup.SetResult();
        await disposing.WaitAsync(Patience);

        Assert.Equal(["1", "1"], await Task.WhenAll(first, queued));
        Assert.True(committer.Disposed);
    }

    [Fact]
    public async Task A_write_before_start_is_a_programming_error()
    {
        var writer = new GroupCommitWriter("Test", NullLogger.Instance);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.EnqueueAsync(Write("a")));
        Assert.Contains("before it was initialized", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Queues one write, waits until its group is committing, queues <paramref name="more"/> behind it, then
    /// lets the first group finish.</summary>
    private static async Task<List<Task<string>>> QueueBehindTheFirstGroupAsync(GroupCommitWriter writer, ScriptedCommitter committer, int more)
    {
        var writes = new List<Task<string>> { writer.EnqueueAsync(Write("a")) };
        await committer.FirstGroupEntered.Task.WaitAsync(Patience);
        writes.AddRange(Enumerable.Range(0, more).Select(i => writer.EnqueueAsync(Write($"b{i}"))));
        committer.ReleaseFirstGroup.SetResult();
        return writes;
    }

    private static GroupCommitWriter Started(ScriptedCommitter committer)
    {
        var writer = new GroupCommitWriter("Test", NullLogger.Instance);
        writer.Start(committer);
        return writer;
    }

    /// <summary>A dialect that stores nothing: a write matches unless its expected version is listed in
    /// <see cref="Conflicts"/>; it can hold its first group, or fail its next one.</summary>
    private sealed class ScriptedCommitter : IGroupCommitter
    {
        public bool HoldFirstGroup { get; init; }
        public IReadOnlyList<string> Conflicts { get; init; } = [];
        public Exception? FailNext { get; set; }
        public TaskCompletionSource FirstGroupEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseFirstGroup { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<int> GroupSizes { get; } = [];
        public int Resets { get; private set; }
        public bool Disposed { get; private set; }

        public async Task CommitAsync(IReadOnlyList<PendingWrite> group, WriteOutcome[] outcomes)
        {
            GroupSizes.Add(group.Count);
            if (GroupSizes.Count == 1 && HoldFirstGroup)
            {
                FirstGroupEntered.SetResult();
                await ReleaseFirstGroup.Task;
            }
            if (FailNext is { } error)
            {
                FailNext = null;
                throw error;
            }
            for (var i = 0; i < group.Count; i++)
            {
                outcomes[i] = Conflicts.Contains(group[i].ExpectedETag)
                    ? WriteOutcome.Failed(group[i].Conflict())
                    : WriteOutcome.Stored(group[i].NextETag);
            }
        }

        public bool IsUnavailable(Exception error) => error is IOException;

        public ValueTask ResetAsync()
        {
            Resets++;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
