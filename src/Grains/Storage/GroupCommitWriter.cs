using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Storage;

/// <summary>What a SQL store does with one group: apply every write in one transaction and fill in each write's
/// outcome (a conditional write that matched no row is that write's conflict, not the group's failure).</summary>
internal interface IGroupCommitter : IAsyncDisposable
{
    /// <summary>Commits the group; throws when the store could not (then nothing of the group is stored).</summary>
    Task CommitAsync(IReadOnlyList<PendingWrite> group, WriteOutcome[] outcomes);

    /// <summary>Whether an error from <see cref="CommitAsync"/> means the store is unreachable or broken (the group's
    /// writes fail with <see cref="TaskStoreUnavailableException"/>) rather than a bug (they fail with the error itself).</summary>
    bool IsUnavailable(Exception error);

    /// <summary>Called after a failed group, before the next: a committer whose connection may be broken drops it.</summary>
    ValueTask ResetAsync();
}

/// <summary>The writer both SQL stores share: writes from every grain of the silo queue here and one loop commits them
/// in groups of up to <see cref="MaxGroup"/>, so under load many task transitions share one transaction and one flush.
/// The dialect lives in an <see cref="IGroupCommitter"/>.</summary>
internal sealed class GroupCommitWriter(string storeName, ILogger logger) : IAsyncDisposable
{
    public const int MaxGroup = 512;

    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;
    private long _commits;
    private long _writesCommitted;

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes stored so far (conflicts and failed groups not counted).</summary>
    public long WritesCommitted => Interlocked.Read(ref _writesCommitted);

    public bool Started => _loop is not null;

    /// <summary>Starts the loop; it owns <paramref name="committer"/> from now on and disposes it when the writer stops.</summary>
    public void Start(IGroupCommitter committer)
    {
        ArgumentNullException.ThrowIfNull(committer);
        if (_loop is not null) throw new InvalidOperationException($"The {storeName} writer is already running.");
        _loop = Task.Run(() => LoopAsync(committer), CancellationToken.None);
    }

    /// <summary>Queues a write; the task completes when its group has committed.</summary>
    public Task<string> EnqueueAsync(PendingWrite write)
    {
        if (_loop is null) throw new InvalidOperationException($"The {storeName} task store was used before it was initialized.");
        if (!_writes.Writer.TryWrite(write)) throw new TaskStoreUnavailableException($"The {storeName} task store is shutting down.");
        return write.Done.Task;
    }

    /// <summary>Stops taking writes, commits what is queued, and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_loop is not null) await _loop;
    }

    private async Task LoopAsync(IGroupCommitter committer)
    {
        await using var _ = committer;
        var group = new List<PendingWrite>(MaxGroup);
        while (await _writes.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _writes.Reader.TryRead(out var write)) group.Add(write);
            var outcomes = new WriteOutcome[group.Count];
            try
            {
                await committer.CommitAsync(group, outcomes);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _writesCommitted, outcomes.Count(o => o.Error is null));
            }
            catch (Exception ex)
            {
                // The group fails as a whole and the writer goes on: a write must never wait on a dead loop.
                Log.StoreWriteFailed(logger, group.Count, ex);
                var error = ex is TaskStoreUnavailableException || !committer.IsUnavailable(ex)
                    ? ex
                    : new TaskStoreUnavailableException($"The {storeName} task store could not commit: {ex.Message}", ex);
                Array.Fill(outcomes, WriteOutcome.Failed(error));
                await committer.ResetAsync();
            }

            for (var i = 0; i < group.Count; i++)
            {
                if (outcomes[i].Error is { } error) group[i].Done.TrySetException(error);
                else group[i].Done.TrySetResult(outcomes[i].ETag!);
            }
        }
    }
}
