namespace TaskFlow.Benchmarks;

/// <summary>Arguments of the no-op task.</summary>
public sealed record NoOp;

/// <summary>Does nothing but count, so the benchmark knows when every handler has run.</summary>
public sealed class NoOpHandler : ITaskHandler<NoOp>
{
    private static int _remaining;
    private static TaskCompletionSource _allRan = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task AllRan => _allRan.Task;

    public static void Reset(int expected)
    {
        _allRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _remaining = expected;
    }

    public Task RunAsync(NoOp args, TaskContext context, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _remaining) == 0) _allRan.TrySetResult();
        return Task.CompletedTask;
    }
}

/// <summary>The bare grain call the benchmark compares against.</summary>
[Alias("taskflow.bench.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    /// <summary>Returns at once.</summary>
    [Alias("Ping")]
    Task Ping();
}

/// <summary>Answers pings.</summary>
[GrainType("taskflow.bench.ping")]
public sealed class PingGrain : Grain, IPingGrain
{
    /// <inheritdoc />
    public Task Ping() => Task.CompletedTask;
}

/// <summary>Arguments of the latency probe: the Stopwatch timestamp read right before <c>EnqueueAsync</c>.</summary>
public sealed record LatencyProbe(long EnqueuedAt);

/// <summary>Reads the clock on its first line; the benchmark waits for one probe at a time.</summary>
public sealed class LatencyProbeHandler : ITaskHandler<LatencyProbe>
{
    private static TaskCompletionSource<double> _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the milliseconds from the clock read before the enqueue call to the handler's first line.</summary>
    public static Task<double> Ran => _ran.Task;

    public static void Reset() => _ran = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task RunAsync(LatencyProbe args, TaskContext context, CancellationToken cancellationToken)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        _ran.TrySetResult(System.Diagnostics.Stopwatch.GetElapsedTime(args.EnqueuedAt, now).TotalMilliseconds);
        return Task.CompletedTask;
    }
}
