namespace TaskFlow.Tasks;

/// <summary>The retry rule: the wait before retry n (n = 1, 2, …) is <c>delay × backoff^(n−1)</c> seconds, capped by the
/// task's max delay when it has one.</summary>
public static class RetryPolicy
{
    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first retry).</summary>
    public static TimeSpan DelayBefore(int retry, TaskOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        ArgumentNullException.ThrowIfNull(options);
        var seconds = options.DelaySeconds * Math.Pow(options.Backoff, retry - 1);
        if (options.MaxDelaySeconds is { } max) seconds = Math.Min(seconds, max);
        // Backoff can overflow to infinity after many retries; a day is the longest wait a timer is asked for.
        seconds = Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>True when a task that has made <paramref name="attemptsMade"/> attempts may make another.</summary>
    public static bool MayRetry(int attemptsMade, TaskOptions options) => attemptsMade <= options.Retries;
}
