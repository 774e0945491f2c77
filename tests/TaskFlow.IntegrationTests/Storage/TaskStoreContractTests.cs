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

    /// <summary>A new, initialized store over an empty database.</summary>
    protected abstract Task<ITaskStore> CreateStoreAsync();

    /// <summary>Transactions the store has committed.</summary>
    protected abstract long CommitsOf(ITaskStore store);

    /// <summary>Puts a row into the store's tasks table that no version of TaskFlow can read; it must not be unfinished.</summary>
    protected abstract Task InsertUnreadableRowAsync();

    /// <summary>A store whose database cannot be reached, and the text its error must name.</summary>
    protected abstract (ITaskStore Store, string Where) CreateUnreachableStore();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made.</summary>
    protected abstract Task DeleteDatabaseAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        await DeleteDatabaseAsync();
    }

    private static TaskState State(string name = "email", TaskRunStatus status = TaskRunStatus.Pending, int secondsAfter = 0,
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
    public async Task Concurrent_writes_are_committed_in_groups()
    {
        var commitsBefore = CommitsOf(_store);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => _store.WriteTaskAsync(State(), null)));

        var commits = CommitsOf(_store) - commitsBefore;
        Assert.InRange(commits, 1, 399);
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
    public async Task A_corrupt_row_is_skipped_by_the_list_not_fatal()
    {
        await _store.WriteTaskAsync(State(), null);
        await InsertUnreadableRowAsync();

        var page = await _store.QueryAsync(new TaskQuery());

        Assert.Single(page.Items);
        Assert.Single(await _store.UnfinishedAsync(null, 10));
    }

    [Fact]
    public async Task An_unreachable_database_fails_at_initialization_with_a_clear_error()
    {
        var (store, where) = CreateUnreachableStore();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains(where, ex.Message, StringComparison.Ordinal);
        // A store that is down is reported at once, not after the silo hangs on it.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }
}
