using TaskFlow.Tasks;

namespace TaskFlow.UnitTests.Tasks;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 0.2)]
    [InlineData(2, 0.4)]
    [InlineData(3, 0.8)]
    [InlineData(4, 1.6)]
    public void Retry_n_waits_delay_times_backoff_to_the_power_of_n_minus_one(int retry, double seconds)
    {
        var options = TaskOptions.Default with { DelaySeconds = 0.2, Backoff = 2 };

        Assert.Equal(seconds, RetryPolicy.DelayBefore(retry, options).TotalSeconds, 9);
    }

    [Fact]
    public void Max_delay_caps_the_wait()
    {
        var options = TaskOptions.Default with { DelaySeconds = 1, Backoff = 10, MaxDelaySeconds = 30 };

        Assert.Equal([1, 10, 30, 30], Enumerable.Range(1, 4).Select(n => RetryPolicy.DelayBefore(n, options).TotalSeconds));
    }

    [Fact]
    public void A_huge_backoff_never_overflows_the_timer()
    {
        var options = TaskOptions.Default with { DelaySeconds = 1, Backoff = 1000 };

        Assert.Equal(TimeSpan.FromDays(1), RetryPolicy.DelayBefore(500, options));
    }

    [Fact]
    public void Backoff_one_keeps_the_delay_constant()
    {
        var options = TaskOptions.Default with { DelaySeconds = 3 };

        Assert.All(Enumerable.Range(1, 5), n => Assert.Equal(3, RetryPolicy.DelayBefore(n, options).TotalSeconds));
    }

    [Fact]
    public void A_task_may_retry_while_attempts_made_do_not_exceed_its_retries()
    {
        var options = TaskOptions.Default with { Retries = 2 };

        Assert.True(RetryPolicy.MayRetry(1, options));
        Assert.True(RetryPolicy.MayRetry(2, options));
        Assert.False(RetryPolicy.MayRetry(3, options));
    }
}
