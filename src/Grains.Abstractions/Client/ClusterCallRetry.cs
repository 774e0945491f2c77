using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace TaskFlow;

/// <summary>Retries a grain call that is safe to repeat (creating a task under the same id, reading a record) while the
/// cluster is changing: a silo just died and is not yet declared dead (its calls are refused, or never answered), a
/// gateway went away, a message was rejected in a move. Each try is bounded, so a call sent to a silo that died with it
/// does not wait out Orleans' 30 s response timeout; after <see cref="Budget"/> the last error surfaces.</summary>
public static class ClusterCallRetry
{
    /// <summary>How long one try may take before it is given up and made again.</summary>
    public static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long one try of a create may take: one store write, normally milliseconds.</summary>
    public static readonly TimeSpan CreateTryTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Time allowed for all tries: above the time a cluster takes to declare a dead silo dead (≤ 10 s).</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>The pause before try n + 1 (n from 1); the last is repeated.</summary>
    public static readonly IReadOnlyList<TimeSpan> Pauses =
        [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    /// <summary>True for the errors a cluster in transition causes; a store outage, bad input or a handler's error
    /// is not one of them.</summary>
    public static bool IsTransient(Exception exception) => exception is
        SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException
        or ClientNotAvailableException or TimeoutException;

    /// <summary>As <see cref="IsTransient(Exception)"/>, and also a cancellation that the caller did not ask for: Orleans
    /// cancels a call whose target silo went away mid-call (seen as an <see cref="OperationCanceledException"/>).</summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) =>
        IsTransient(exception) || (exception is OperationCanceledException && !callerToken.IsCancellationRequested);

    /// <summary>The pause after the given failed try (1 for the first).</summary>
    public static TimeSpan PauseAfter(int failedTry) => Pauses[Math.Clamp(failedTry, 1, Pauses.Count) - 1];

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails with a non-transient error, or the budget is spent.</summary>
    public static Task<T> RunAsync<T>(Func<Task<T>> call, TimeProvider time, CancellationToken cancellationToken) =>
        RunAsync(call, time, TryTimeout, cancellationToken);

    /// <summary>As above, with each try bounded at <paramref name="tryTimeout"/>: shorter for a call that is one store
    /// write (a create), so more tries fit the budget when some of them reach a silo that cannot answer.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, TimeProvider time, TimeSpan tryTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + Budget;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(tryTimeout, time, cancellationToken);
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken) && time.GetUtcNow() + PauseAfter(attempt) < deadline)
            {
                await Task.Delay(PauseAfter(attempt), time, cancellationToken);
            }
        }
    }
}
