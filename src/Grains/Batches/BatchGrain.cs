using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Batches;

/// <summary>One batch. Stored before its members are created; each member reports its end once (the report is
/// acknowledged only after it is stored, so the member tries again until then); once every member has ended the batch
/// releases its <c>then</c> task (one-way, sent again on each activation). Reentrant so that reports arriving together
/// share one write (a group commit): each waits for a write that started after its change.</summary>
[GrainType("taskflow.batch"), Reentrant]
internal sealed class BatchGrain(
    [PersistentState("batch", TaskFlowStorage.Name)] IPersistentState<BatchState> progress,
    [PersistentState("batch-members", TaskFlowStorage.Name)] IPersistentState<BatchMembers> members,
    TimeProvider time,
    ILogger<BatchGrain> logger) : Grain, IBatchGrain
{
    /// <summary>How many members a description or a repair asks at once.</summary>
    private const int Fan = 64;

    private Dictionary<Guid, int>? _index;
    private long _changed;
    private long _saved;
    private Task? _writing;
    private (DateTimeOffset At, BatchInfo Info)? _described;
    private bool _released;
    private Task? _opening;

    private Guid BatchId => this.GetPrimaryKey();

    private BatchState State => progress.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Done) ReleaseThen();
        else if (State.Opened)
        {
            // Re-activated before the end (a restart, a move): a report lost with a dying silo is found by asking the
            // members not counted yet, once, off the activation.
            this.RegisterGrainTimer(RepairAsync, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan, Interleave = true });
        }
        return Task.CompletedTask;
    }

    public async Task Open(ImmutableArray<Guid> taskIds, Guid? thenTaskId)
    {
        // A retry of the call may arrive while the first is still writing (the grain is reentrant): both wait for one.
        var opening = _opening ??= OpenAsync(taskIds, thenTaskId);
        try
        {
            await opening;
        }
        catch when (ReferenceEquals(_opening, opening))
        {
            _opening = null;
            throw;
        }
    }

    private async Task OpenAsync(ImmutableArray<Guid> taskIds, Guid? thenTaskId)
    {
        if (State.Opened) return;
        members.State = new BatchMembers { TaskIds = taskIds };
        await members.WriteStateAsync();
        progress.State = BatchTally.Open(taskIds.Length, thenTaskId, time.GetUtcNow());
        _changed++;
        await SaveAsync();
    }

    public async Task MemberFinished(Guid taskId, TaskRunStatus status)
    {
        Count(taskId, status);
        // Also for a repeated report: it is acknowledged only once what it reported is stored.
        await SaveAsync();
    }

    public Task<bool> AwaitEnd(Guid thenTaskId) => Task.FromResult(State.Done);

    public async Task<BatchInfo?> Describe()
    {
        if (!State.Opened) return null;
        if (_described is { } cached && time.GetUtcNow() - cached.At < TimeSpan.FromSeconds(1)) return cached.Info;
        var state = State;
        var statuses = await CurrentStatusesAsync(BatchTally.Unended(state));
        var info = new BatchInfo
        {
            BatchId = BatchId, Total = state.Total, Done = state.Done, ThenTaskId = state.ThenTaskId,
            Counts = BatchTally.Merge(state, statuses.Select(s => s.Status ?? TaskRunStatus.Pending)),
            TaskIds = members.State.TaskIds,
        };
        _described = (time.GetUtcNow(), info);
        return info;
    }

    private void Count(Guid taskId, TaskRunStatus status)
    {
        _index ??= members.State.TaskIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        if (!_index.TryGetValue(taskId, out var index)) return;
        var before = State;
        var after = BatchTally.Count(before, index, status);
        if (ReferenceEquals(before, after)) return;
        progress.State = after;
        _changed++;
    }

    /// <summary>Returns once a write holding every change made so far has completed; changes made while a write is in
    /// flight go out together in the next one.</summary>
    private async Task SaveAsync()
    {
        var target = _changed;
        while (_saved < target)
        {
            _writing ??= WriteAsync();
            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        // Yield first, so reports already queued behind this one join the write.
        await Task.Yield();
        var version = _changed;
        var done = State.Done;
        try
        {
            await progress.WriteStateAsync();
            _saved = version;
        }
        finally
        {
            _writing = null;
        }
        if (done && !_released)
        {
            Log.BatchDone(logger, BatchId, State.Total, State.ThenTaskId);
            ReleaseThen();
        }
    }

    /// <summary>Tells the then task the batch has ended (it applies this once; a repeat changes nothing).</summary>
    private void ReleaseThen()
    {
        _released = true;
        if (State.ThenTaskId is { } then)
            _ = GrainFactory.GetGrain<ITaskContinuation>(then).ParentFinished(BatchId, TaskRunStatus.Success);
    }

    private async Task RepairAsync()
    {
        var ended = (await CurrentStatusesAsync(BatchTally.Unended(State))).Where(s => s.Status?.IsTerminal() == true).ToList();
        foreach (var (taskId, status) in ended) Count(taskId, status!.Value);
        if (ended.Count > 0) await SaveAsync();
    }

    /// <summary>The current statuses of the members at <paramref name="positions"/>, asked <see cref="Fan"/> at a time
    /// (on the grain's own scheduler: grain calls need the activation's context).</summary>
    private async Task<List<(Guid TaskId, TaskRunStatus? Status)>> CurrentStatusesAsync(IEnumerable<int> positions)
    {
        var found = new List<(Guid, TaskRunStatus?)>();
        foreach (var chunk in positions.Select(i => members.State.TaskIds[i]).Chunk(Fan))
        {
            found.AddRange(await Task.WhenAll(chunk.Select(async id => (id, (await GrainFactory.GetGrain<ITaskGrain>(id).Get())?.Status))));
        }
        return found;
    }
}
