using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace TaskFlow.UnitTests.Client;

public sealed class ClusterCallRetryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Runs the retry loop, moving the fake clock on in small steps until it ends.</summary>
    private async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        var run = ClusterCallRetry.RunAsync(call, _time, CancellationToken.None);
        for (var i = 0; i < 10_000 && !run.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        return await run;
    }

    public static TheoryData<Exception, bool> Errors => new()
    {
        { new SiloUnavailableException(), true },
        { new SiloUnavailableException("silo S10.0.0.2:11111 is dead"), true },
        { new ConnectionFailedException("gateway gone"), true },
        { new GatewayTooBusyException(), true },
        { new TimeoutException(), true },
        { new TaskStoreUnavailableException("database down"), false },
        { new TaskValidationException("name", "unknown"), false },
        { new InvalidOperationException(), false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Only_errors_of_a_cluster_in_transition_are_retried(Exception error, bool transient) =>
        Assert.Equal(transient, ClusterCallRetry.IsTransient(error));

    [Fact]
    public void Pauses_grow_then_stay_at_a_second()
    {
        Assert.Equal(
            [50, 200, 500, 1000, 1000],
            Enumerable.Range(1, 5).Select(n => ClusterCallRetry.PauseAfter(n).TotalMilliseconds));
    }

    [Fact]
    public async Task A_call_refused_while_a_silo_dies_is_made_again_until_it_succeeds()
    {
        var calls = 0;
        var result = await RunAsync(() => ++calls < 3 ? Task.FromException<int>(new SiloUnavailableException()) : Task.FromResult(42));

        Assert.Equal((42, 3), (result, calls));
    }

    [Fact]
    public async Task A_call_that_is_never_answered_is_given_up_after_the_try_timeout_and_made_again()
    {
        var calls = 0;
        var started = _time.GetUtcNow();
        var result = await RunAsync(() => ++calls == 1 ? new TaskCompletionSource<int>().Task : Task.FromResult(7));

        Assert.Equal((7, 2), (result, calls));
        Assert.InRange(_time.GetUtcNow() - started, ClusterCallRetry.TryTimeout, ClusterCallRetry.TryTimeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_call_cancelled_inside_the_runtime_is_made_again()
    {
        var calls = 0;
        var result = await RunAsync(() => ++calls == 1 ? Task.FromException<int>(new OperationCanceledException()) : Task.FromResult(5));

        Assert.Equal((5, 2), (result, calls));
    }

    [Fact]
    public async Task The_callers_own_cancellation_ends_the_retries()
    {
        using var caller = new CancellationTokenSource();
        var calls = 0;
        var run = ClusterCallRetry.RunAsync(() =>
        {
            calls++;
            caller.Cancel();
            return Task.FromException<int>(new SiloUnavailableException());
        }, _time, caller.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_store_outage_surfaces_at_once()
    {
        var calls = 0;
        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() =>
            RunAsync<int>(() => { calls++; throw new TaskStoreUnavailableException("database down"); }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_last_error_surfaces_once_the_budget_is_spent()
    {
        var calls = 0;
        var started = _time.GetUtcNow();
        await Assert.ThrowsAsync<SiloUnavailableException>(() =>
            RunAsync<int>(() => { calls++; return Task.FromException<int>(new SiloUnavailableException()); }));

        Assert.InRange(_time.GetUtcNow() - started, ClusterCallRetry.Budget - TimeSpan.FromSeconds(1.1), ClusterCallRetry.Budget);
        Assert.InRange(calls, 15, 25);
    }
}
