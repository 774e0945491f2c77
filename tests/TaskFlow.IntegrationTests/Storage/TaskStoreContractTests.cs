using System.Collections.Immutable;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>What every <see cref="ITaskStore"/> must do, run against each real store by a subclass.</summary>
public abstract class TaskStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private ITaskStore _store = null!;

    /// <summary>The store under test.</summary>
    protected ITaskStore Store => _store;

    /// <summary>A new, initialized store over an empty database.</summary>
    protected abstract Task<ITaskStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made.</summary>
    protected abstract Task DeleteDatabaseAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        await DeleteDatabaseAsync();
    }

    protected static TaskState State(string name = "email", TaskRunStatus status = TaskRunStatus.Pending, int secondsAfter = 0,
        TaskSource source = TaskSource.Api, Guid? id = null) => new()
    {
        Record = new TaskRecord
        {
            TaskId = id ?? Guid.NewGuid(), Name = name, Status = status, Source = source, CreatedAt = T0.AddSeconds(secondsAfter),
            StartedAt = status.IsTerminal() ? T0.AddSeconds(secondsAfter + 1) : null,
            EndedAt = status.IsTerminal() ? T0.AddSeconds(secondsAfter + 3) : null,
            ArgsJson = """{"address":"a@b.c"}""",
        },
        Options = TaskOptions.Default,
    };

    [Fact]
    public async Task A_task_reads_back_as_written_with_a_new_version_on_every_write()
    {
        var state = State();

        var first = await _store.WriteTaskAsync(state, null);
        var changed = state with { Record = state.Record with { Status = TaskRunStatus.Running, AttemptCount = 1 } };
        var second = await _store.WriteTaskAsync(changed, first);

        var read = await _store.ReadTaskAsync(state.Record.TaskId);
        Assert.NotEqual(first, second);
        Assert.Equal(second, read!.ETag);
        Assert.Equal(changed.Record with { Attempts = [], Logs = [] }, read.Value.Record with { Attempts = [], Logs = [] });
        Assert.Equal(changed.Options, read.Value.Options);
    }

    [Fact]
    public async Task A_continuation_and_a_batch_member_keep_their_links_and_the_awaiting_status_filters()
    {
        var (parent, batch) = (Guid.NewGuid(), Guid.NewGuid());
        var awaiting = State(status: TaskRunStatus.Awaiting);
        awaiting = awaiting with
        {
            Record = awaiting.Record with { After = [parent, Guid.NewGuid()], AfterPolicy = ContinuationPolicy.Finished, BatchId = batch, AfterBatch = batch, Continuations = [Guid.NewGuid()] },
            ParentOutcomes = ImmutableDictionary<Guid, TaskRunStatus>.Empty.Add(parent, TaskRunStatus.Failed),
        };

        await _store.WriteTaskAsync(awaiting, null);
        await _store.WriteTaskAsync(State(), null);

        var read = (await _store.ReadTaskAsync(awaiting.Record.TaskId))!.Value;
        Assert.Equal(awaiting.Record.After.AsEnumerable(), read.Record.After.AsEnumerable());
        Assert.Equal(awaiting.Record.Continuations.AsEnumerable(), read.Record.Continuations.AsEnumerable());
        Assert.Equal((ContinuationPolicy.Finished, batch, batch), (read.Record.AfterPolicy, read.Record.BatchId, read.Record.AfterBatch));
        Assert.Equal(TaskRunStatus.Failed, read.ParentOutcomes[parent]);
        var listed = await _store.QueryAsync(new TaskQuery { Statuses = [TaskRunStatus.Awaiting] });
        Assert.Equal(awaiting.Record.TaskId, Assert.Single(listed.Items).TaskId);
        Assert.Equal(1, (await _store.MetricsAsync()).ByStatus[TaskRunStatus.Awaiting]);
    }

    [Fact]
    public async Task A_stale_version_or_a_second_create_is_refused()
    {
        var state = State();
        var etag = await _store.WriteTaskAsync(state, null);
        await _store.WriteTaskAsync(state, etag);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _store.WriteTaskAsync(state, etag));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _store.WriteTaskAsync(state, null));
    }

    [Fact]
    public async Task The_list_filters_by_status_name_source_window_and_search_newest_first_with_cursor_paging()
    {
        var states = new List<TaskState>();
        for (var i = 0; i < 30; i++)
        {
            var status = i % 3 == 0 ? TaskRunStatus.Failed : TaskRunStatus.Success;
            states.Add(State(i % 2 == 0 ? "email" : "report", status, i, i == 29 ? TaskSource.Replay : TaskSource.Api));
        }
        foreach (var s in states) await _store.WriteTaskAsync(s, null);

        var failed = await _store.QueryAsync(new TaskQuery { Statuses = [TaskRunStatus.Failed] });
        Assert.Equal(10, failed.Items.Length);
        Assert.Equal(failed.Items.OrderByDescending(r => r.CreatedAt), failed.Items);

        var emails = await _store.QueryAsync(new TaskQuery { Name = "email", Since = T0.AddSeconds(10), Until = T0.AddSeconds(20) });
        Assert.Equal([18, 16, 14, 12, 10], emails.Items.Select(r => (int)(r.CreatedAt - T0).TotalSeconds));

        Assert.Single((await _store.QueryAsync(new TaskQuery { Source = TaskSource.Replay })).Items);
        Assert.Equal(15, (await _store.QueryAsync(new TaskQuery { Search = "REP" })).Items.Length);
        var target = states[7].Record.TaskId;
        Assert.Equal(target, Assert.Single((await _store.QueryAsync(new TaskQuery { Search = target.ToString()[..13] })).Items).TaskId);

        var seen = new List<Guid>();
        TaskCursor? cursor = null;
        do
        {
            var page = await _store.QueryAsync(new TaskQuery { Limit = 7, After = cursor });
            seen.AddRange(page.Items.Select(r => r.TaskId));
            cursor = page.Next;
        }
        while (cursor is not null);
        Assert.Equal(states.OrderByDescending(s => s.Record.CreatedAt).Select(s => s.Record.TaskId), seen);
    }

    [Fact]
    public async Task Metrics_count_statuses_and_time_finished_tasks()
    {
        await _store.WriteTaskAsync(State(status: TaskRunStatus.Success), null);
        await _store.WriteTaskAsync(State(status: TaskRunStatus.Success), null);
        await _store.WriteTaskAsync(State(status: TaskRunStatus.Failed), null);
        await _store.WriteTaskAsync(State(status: TaskRunStatus.Pending), null);

        var metrics = await _store.MetricsAsync();

        Assert.Equal(4, metrics.Total);
        Assert.Equal(2, metrics.ByStatus[TaskRunStatus.Success]);
        Assert.Equal(1, metrics.ByStatus[TaskRunStatus.Pending]);
        Assert.Equal(2.0 / 3, metrics.SuccessRate!.Value, 6);
        Assert.Equal(2.0, metrics.AvgDurationSeconds!.Value, 6);
        Assert.Equal(2.0, metrics.P95DurationSeconds!.Value, 6);
    }

    [Fact]
    public async Task Unfinished_tasks_are_found_in_pages_and_history_deletion_spares_them()
    {
        var unfinished = new[] { State(status: TaskRunStatus.Pending), State(status: TaskRunStatus.Running), State(status: TaskRunStatus.Retrying) };
        foreach (var s in unfinished) await _store.WriteTaskAsync(s, null);
        await _store.WriteTaskAsync(State(status: TaskRunStatus.Success), null);

        var first = await _store.UnfinishedAsync(null, 2);
        var rest = await _store.UnfinishedAsync(first[^1], 2);
        Assert.Equal(unfinished.Select(s => s.Record.TaskId).Order(), first.Concat(rest));

        Assert.Equal(1, await _store.DeleteFinishedBeforeAsync(T0.AddDays(1)));
        Assert.Equal(3, (await _store.QueryAsync(new TaskQuery())).Items.Length);
    }

    [Fact]
    public async Task Counts_by_status_equal_a_recount_after_concurrent_creates_changes_conflicts_and_history_deletion()
    {
        TaskRunStatus[] path = [TaskRunStatus.Running, TaskRunStatus.Retrying, TaskRunStatus.Running, TaskRunStatus.Success];
        var random = new Random(12);
        var plans = Enumerable.Range(0, 120).Select(i => (State: State(secondsAfter: i), Steps: random.Next(0, 5), Fail: random.Next(3) == 0)).ToList();

        // Each task moves along its own path while the others do: groups mix creates, changes and refused writes.
        await Task.WhenAll(plans.Select(async plan =>
        {
            var state = plan.State;
            var etag = await _store.WriteTaskAsync(state, null);
            await Assert.ThrowsAsync<InconsistentStateException>(() => _store.WriteTaskAsync(state, null));
            for (var step = 0; step < plan.Steps; step++)
            {
                var status = step == plan.Steps - 1 && plan.Fail ? TaskRunStatus.Failed : path[Math.Min(step, path.Length - 1)];
                var next = state with { Record = state.Record with { Status = status, EndedAt = status.IsTerminal() ? state.Record.CreatedAt.AddSeconds(3) : null } };
                var stale = etag;
                etag = await _store.WriteTaskAsync(next, etag);
                await Assert.ThrowsAsync<InconsistentStateException>(() => _store.WriteTaskAsync(next with { Record = next.Record with { Status = TaskRunStatus.Cancelled } }, stale));
                state = next;
            }
        }));
        var deleted = await _store.DeleteFinishedBeforeAsync(T0.AddSeconds(60));

        var metrics = await _store.MetricsAsync();
        var recount = await RecountAsync();
        Assert.InRange(deleted, 1, 119);
        Assert.Equal(recount.OrderBy(p => p.Key), metrics.ByStatus.OrderBy(p => p.Key));
        Assert.Equal(recount.Values.Sum(), metrics.Total);
        Assert.Equal(120 - deleted, metrics.Total);
    }

    /// <summary>Counts every task the list returns, page by page: what the maintained counts must equal.</summary>
    private async Task<Dictionary<TaskRunStatus, long>> RecountAsync()
    {
        var counts = new Dictionary<TaskRunStatus, long>();
        TaskCursor? cursor = null;
        do
        {
            var page = await _store.QueryAsync(new TaskQuery { Limit = TaskStoreLimits.MaxPage, After = cursor });
            foreach (var record in page.Items) counts[record.Status] = counts.GetValueOrDefault(record.Status) + 1;
            cursor = page.Next;
        }
        while (cursor is not null);
        return counts;
    }
}
