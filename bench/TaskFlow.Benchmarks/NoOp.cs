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
