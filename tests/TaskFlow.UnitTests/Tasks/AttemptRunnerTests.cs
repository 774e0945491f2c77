using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskFlow.Tasks;

namespace TaskFlow.UnitTests.Tasks;

public sealed class AttemptRunnerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly AttemptRunner _runner;

    public AttemptRunnerTests()
    {
        var services = new ServiceCollection();
        new TaskFlowBuilder(services)
            .AddTask<WaitForeverHandler>("wait")
            .AddTask<ThrowingHandler>("throw")
            .AddTask<ScopedHandler>("scoped");
        services.AddScoped<ScopeProbe>();
        services.AddMetrics();
        _services = services.BuildServiceProvider();
        _runner = new AttemptRunner(_services.GetRequiredService<IServiceScopeFactory>(),
            _services.GetRequiredService<TaskRegistry>(), _time, NullLoggerFactory.Instance,
            new TaskFlow.Telemetry.TaskFlowMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
    }

    public void Dispose() => _services.Dispose();

    private static TaskRecord Record(string name, string args = "{}") =>
        new() { TaskId = Guid.NewGuid(), Name = name, Status = TaskRunStatus.Running, ArgsJson = args };

    private Task<AttemptOutcome> Run(TaskRecord record, TimeSpan? timeout = null, CancellationToken cancel = default) =>
        _runner.RunAsync(record, 1, 1, timeout, new TaskLogBuffer(1, _time), cancel);

    [Fact]
    public async Task An_attempt_past_its_timeout_fails_with_TimeoutException_and_its_token_is_cancelled()
    {
        var observed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        WaitForeverHandler.Cancelled = observed;

        var attempt = Run(Record("wait"), TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await attempt.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AttemptResult.Failed, outcome.Result);
        Assert.Equal(nameof(TimeoutException), outcome.ErrorType);
        Assert.Contains("timeout of 2 s", outcome.Error, StringComparison.Ordinal);
        Assert.True(await observed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_attempt_within_its_timeout_is_not_cut_short()
    {
        var attempt = Run(Record("wait"), TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(1.9));

        Assert.False(attempt.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(nameof(TimeoutException), (await attempt.WaitAsync(TimeSpan.FromSeconds(10))).ErrorType);
    }

    [Fact]
    public async Task A_user_cancellation_ends_the_attempt_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var attempt = Run(Record("wait"), cancel: cancel.Token);

        await cancel.CancelAsync();
        var outcome = await attempt.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AttemptResult.Cancelled, outcome.Result);
    }

    [Fact]
    public async Task An_attempt_stopped_because_its_silo_is_cut_off_ends_interrupted_not_cancelled()
    {
        using var interruption = new CancellationTokenSource();
        var attempt = _runner.RunAsync(Record("wait"), 1, 1, null, new TaskLogBuffer(1, _time), CancellationToken.None, interruption.Token);

        await interruption.CancelAsync();
        var outcome = await attempt.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AttemptResult.Interrupted, outcome.Result);
        Assert.Contains("cut off", outcome.Error, StringComparison.Ordinal);
        Assert.IsType<TaskEvent.Interrupted>(outcome.ToEvent());
    }

    [Fact]
    public async Task A_throwing_handler_fails_with_its_message_type_and_stack_and_keeps_its_log_lines()
    {
        var outcome = await Run(Record("throw", """{"message":"no smtp"}"""));

        Assert.Equal(AttemptResult.Failed, outcome.Result);
        Assert.Equal("no smtp", outcome.Error);
        Assert.Equal(nameof(InvalidOperationException), outcome.ErrorType);
        Assert.Contains(nameof(ThrowingHandler), outcome.StackTrace, StringComparison.Ordinal);
        var line = Assert.Single(outcome.Logs);
        Assert.Equal(TaskLogLevel.Warning, line.Level);
        Assert.Equal("About to fail: no smtp", line.Message);
    }

    [Fact]
    public async Task Every_attempt_gets_a_fresh_dependency_injection_scope()
    {
        ScopedHandler.Seen.Clear();

        await Run(Record("scoped"));
        await Run(Record("scoped"));

        Assert.Equal(2, ScopedHandler.Seen.Distinct().Count());
        Assert.All(ScopedHandler.Seen, probe => Assert.True(probe.Disposed));
    }

    [Fact]
    public async Task Stored_args_that_no_longer_bind_fail_the_attempt_instead_of_crashing()
    {
        var outcome = await Run(Record("throw", """{"msg":1}"""));

        Assert.Equal(AttemptResult.Failed, outcome.Result);
        Assert.Equal(nameof(ArgumentException), outcome.ErrorType);
    }

    public sealed record Empty;

    public sealed record ThrowArgs(string Message);

    public sealed class WaitForeverHandler : ITaskHandler<Empty>
    {
        public static TaskCompletionSource<bool>? Cancelled { get; set; }

        public async Task RunAsync(Empty args, TaskContext context, CancellationToken cancellationToken)
        {
            using var registration = cancellationToken.Register(() => Cancelled?.TrySetResult(true));
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    public sealed class ThrowingHandler : ITaskHandler<ThrowArgs>
    {
        public Task RunAsync(ThrowArgs args, TaskContext context, CancellationToken cancellationToken)
        {
            context.Logger.LogWarning("About to fail: {Message}", args.Message);
            throw new InvalidOperationException(args.Message);
        }
    }

    public sealed class ScopeProbe : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed class ScopedHandler(ScopeProbe probe) : ITaskHandler<Empty>
    {
        public static System.Collections.Concurrent.ConcurrentBag<ScopeProbe> Seen { get; } = [];

        public Task RunAsync(Empty args, TaskContext context, CancellationToken cancellationToken)
        {
            Seen.Add(probe);
            return Task.CompletedTask;
        }
    }
}
