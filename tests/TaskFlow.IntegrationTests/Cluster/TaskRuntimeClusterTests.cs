using System.Diagnostics;
using System.Text.Json;
using TaskFlow.Demo;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class TaskRuntimeClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private Task<TaskRecord> WaitForAsync(Guid id, Func<TaskRecord, bool> done, string what) =>
        Eventually.WaitAsync(async () => (await fixture.Queue.GetAsync(id))!, r => r is not null && done(r), Patience, what);

    private Task<TaskRecord> WaitForTerminalAsync(Guid id) => WaitForAsync(id, r => r.Status.IsTerminal(), $"task {id} to end");

    [Fact]
    public async Task A_task_enqueued_from_the_client_runs_on_a_silo_and_succeeds()
    {
        var id = await fixture.Queue.EnqueueAsync(new WelcomeEmail("a@b.c"));

        var record = await WaitForTerminalAsync(id);

        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal("send_welcome_email", record.Name);
        Assert.Equal(1, record.AttemptCount);
        Assert.Contains(record.Logs, l => l.Message == "Sent the welcome email to a@b.c");
        Assert.NotNull(record.DurationSeconds);
    }

    [Fact]
    public async Task Flaky_with_two_failures_succeeds_on_its_third_attempt_with_two_retries_used()
    {
        var id = await fixture.Queue.EnqueueAsync(new Flaky(2));

        var record = await WaitForTerminalAsync(id);

        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal(2, record.RetriesUsed);
        Assert.Equal(3, record.Attempts.Length);
        Assert.Equal(nameof(InvalidOperationException), record.Attempts[0].ErrorType);
        Assert.Equal(nameof(InvalidOperationException), record.Attempts[1].ErrorType);
        Assert.Null(record.Attempts[2].Error);
        // delay 0.2 s, backoff 2: the second attempt starts ≥ 0.2 s after the first ended, the third ≥ 0.4 s after.
        Assert.True(record.Attempts[1].StartedAt - record.Attempts[0].EndedAt!.Value >= TimeSpan.FromSeconds(0.19));
        Assert.True(record.Attempts[2].StartedAt - record.Attempts[1].EndedAt!.Value >= TimeSpan.FromSeconds(0.39));
    }

    [Fact]
    public async Task Fail_ends_failed_with_its_error_and_error_type()
    {
        var id = await fixture.Queue.EnqueueAsync(new Fail("the mail server said no"));

        var record = await WaitForTerminalAsync(id);

        Assert.Equal(TaskRunStatus.Failed, record.Status);
        Assert.Equal("the mail server said no", record.Error);
        Assert.Equal(nameof(InvalidOperationException), record.ErrorType);
        var attempt = Assert.Single(record.Attempts);
        Assert.Contains(nameof(FailTask), attempt.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_read_answers_at_once_while_a_ten_second_handler_runs()
    {
        var id = await fixture.Queue.EnqueueAsync(new Sleep(10_000));
        await WaitForAsync(id, r => r.Status == TaskRunStatus.Running, "the sleep task to start");

        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var record = await fixture.Queue.GetAsync(id);
            clock.Stop();
            Assert.Equal(TaskRunStatus.Running, record!.Status);
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
        }

        Assert.True(slowest < TimeSpan.FromMilliseconds(100), $"slowest read took {slowest.TotalMilliseconds:0.0} ms");

        // Cancelling the running task signals its token; it ends cancelled long before its ten seconds.
        var cancel = await fixture.Queue.CancelAsync(id);
        Assert.True(cancel.Accepted);
        var ended = await WaitForTerminalAsync(id);
        Assert.Equal(TaskRunStatus.Cancelled, ended.Status);
        Assert.True(ended.DurationSeconds < 9, $"took {ended.DurationSeconds} s");
    }

    [Fact]
    public async Task A_task_enqueued_by_name_with_json_args_binds_them_to_the_handler_type()
    {
        using var args = JsonDocument.Parse("""{"month":4,"durationMs":20}""");

        var id = await fixture.Queue.EnqueueAsync("generate_monthly_report", args.RootElement, new EnqueueOptions { Priority = 3, Tags = new Dictionary<string, string> { ["team"] = "finance" } });
        var record = await WaitForTerminalAsync(id);

        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal(3, record.Priority);
        Assert.Equal("finance", record.Tags["team"]);
        Assert.Equal(1.0, record.Progress);
        Assert.Contains(record.Logs, l => l.Message == "Report for month 4 generated");
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_live_task_and_frees_up_once_it_failed()
    {
        var key = "order-" + Guid.NewGuid();
        var options = new EnqueueOptions { IdempotencyKey = key };

        var first = await fixture.Queue.EnqueueAsync(new Sleep(50), options);
        var second = await fixture.Queue.EnqueueAsync(new Sleep(50), options);
        Assert.Equal(first, second);

        var failKey = new EnqueueOptions { IdempotencyKey = "fail-" + Guid.NewGuid() };
        var failed = await fixture.Queue.EnqueueAsync(new Fail("x"), failKey);
        await WaitForTerminalAsync(failed);
        var again = await fixture.Queue.EnqueueAsync(new Fail("x"), failKey);
        Assert.NotEqual(failed, again);
    }

    [Fact]
    public async Task A_delayed_task_waits_pending_until_it_is_due()
    {
        var id = await fixture.Queue.EnqueueAsync(new WelcomeEmail("late@b.c"), new EnqueueOptions { Delay = TimeSpan.FromSeconds(1) });

        var pending = await fixture.Queue.GetAsync(id);
        Assert.Equal(TaskRunStatus.Pending, pending!.Status);
        Assert.NotNull(pending.NextAttemptAt);

        var record = await WaitForTerminalAsync(id);
        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.True(record.StartedAt >= pending.NextAttemptAt!.Value.AddMilliseconds(-50));
    }

    [Fact]
    public async Task A_pending_task_cancelled_before_its_turn_never_runs()
    {
        var id = await fixture.Queue.EnqueueAsync(new WelcomeEmail("never@b.c"), new EnqueueOptions { Delay = TimeSpan.FromSeconds(30) });

        var result = await fixture.Queue.CancelAsync(id);

        Assert.True(result.Accepted);
        Assert.Equal(TaskRunStatus.Cancelled, result.Record!.Status);
        var again = await fixture.Queue.CancelAsync(id);
        Assert.False(again.Accepted);
        Assert.Empty((await fixture.Queue.GetAsync(id))!.Attempts);
    }

    [Fact]
    public async Task An_unknown_id_has_no_record()
    {
        Assert.Null(await fixture.Queue.GetAsync(Guid.NewGuid()));
    }

    // A fresh task grain writes a new task without reading first; an id that is already stored must still win.
    [Fact]
    public async Task Creating_under_an_id_already_stored_as_succeeded_returns_the_stored_task_and_writes_nothing()
    {
        var store = MemoryTaskStore.ForService(fixture.Cluster.Options.ServiceId);
        var id = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;
        var etag = await store.WriteTaskAsync(new TaskState
        {
            Record = new TaskRecord
            {
                TaskId = id, Name = "send_welcome_email", Status = TaskRunStatus.Success, CreatedAt = at, StartedAt = at, EndedAt = at,
                AttemptCount = 1, ArgsJson = """{"address":"first@b.c"}""",
            },
            Options = TaskOptions.Default,
        }, expectedETag: null);

        var record = await fixture.Cluster.Client.GetGrain<ITaskGrain>(id)
            .Create(new TaskSpec { Name = "send_welcome_email", ArgsJson = """{"address":"second@b.c"}""" });

        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal("""{"address":"first@b.c"}""", record.ArgsJson);
        Assert.Equal(etag, (await store.ReadTaskAsync(id))!.ETag);
    }

    [Fact]
    public async Task Creating_under_an_id_already_stored_as_pending_returns_the_stored_task_which_then_runs_with_its_own_args()
    {
        var store = MemoryTaskStore.ForService(fixture.Cluster.Options.ServiceId);
        var id = Guid.NewGuid();
        await store.WriteTaskAsync(new TaskState
        {
            Record = new TaskRecord
            {
                TaskId = id, Name = "send_welcome_email", Status = TaskRunStatus.Pending, CreatedAt = DateTimeOffset.UtcNow,
                ArgsJson = """{"address":"first@b.c"}""",
            },
            Options = TaskOptions.Default,
        }, expectedETag: null);

        var created = await fixture.Cluster.Client.GetGrain<ITaskGrain>(id)
            .Create(new TaskSpec { Name = "send_welcome_email", ArgsJson = """{"address":"second@b.c"}""" });
        var record = await WaitForTerminalAsync(id);

        Assert.Equal("""{"address":"first@b.c"}""", created.ArgsJson);
        Assert.Equal(TaskRunStatus.Success, record.Status);
        Assert.Equal(1, record.AttemptCount);
        Assert.Contains(record.Logs, l => l.Message == "Sent the welcome email to first@b.c");
    }
}
