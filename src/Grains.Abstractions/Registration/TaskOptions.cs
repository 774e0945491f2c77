namespace TaskFlow;

/// <summary>How a registered task runs: retries, backoff, priority, limits. Snapshotted into every task when it is
/// enqueued, so a task keeps the policy it was accepted under.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskOptions.v1")]
public sealed record TaskOptions
{
    /// <summary>Options of a task registered without any: no retries, priority 0, requeued after an interruption.</summary>
    public static TaskOptions Default { get; } = new();

    /// <summary>Attempts allowed after the first fails.</summary>
    [Id(0)] public int Retries { get; init; }
    /// <summary>Seconds before the first retry.</summary>
    [Id(1)] public double DelaySeconds { get; init; }
    /// <summary>Factor applied to the delay for each further retry (1 = constant).</summary>
    [Id(2)] public double Backoff { get; init; } = 1;
    /// <summary>Upper bound of any retry delay, in seconds.</summary>
    [Id(3)] public double? MaxDelaySeconds { get; init; }
    /// <summary>Default priority; higher runs first. A per-call priority overrides it.</summary>
    [Id(4)] public int Priority { get; init; }
    /// <summary>Seconds an attempt may run before its token is cancelled and it counts as failed.</summary>
    [Id(5)] public double? TimeoutSeconds { get; init; }
    /// <summary>Run the task again when the process running it died; otherwise it ends <c>interrupted</c>.</summary>
    [Id(6)] public bool RequeueOnInterrupt { get; init; } = true;
    /// <summary>At most this many tasks of this name run at once, cluster-wide.</summary>
    [Id(7)] public int? MaxConcurrency { get; init; }

    /// <summary>At most this many starts of this task name per period, cluster-wide (for APIs that meter calls).</summary>
    [Id(8)] public TaskRateLimit? RateLimit { get; init; }

    /// <summary>Describes what is out of range, or returns null when every option is valid.</summary>
    public string? Validate()
    {
        if (Retries < 0) return $"retries must be 0 or more (was {Retries})";
        if (!double.IsFinite(DelaySeconds) || DelaySeconds < 0) return $"delay must be 0 or more seconds (was {DelaySeconds})";
        if (!double.IsFinite(Backoff) || Backoff < 1) return $"backoff must be 1 or more (was {Backoff})";
        if (MaxDelaySeconds is { } max && (!double.IsFinite(max) || max < 0)) return $"max delay must be 0 or more seconds (was {max})";
        if (TimeoutSeconds is { } t && (!double.IsFinite(t) || t <= 0)) return $"timeout must be more than 0 seconds (was {t})";
        if (MaxConcurrency is { } c && c < 1) return $"max concurrency must be 1 or more (was {c})";
        if (RateLimit is { } rate && rate.Starts < 1) return $"a rate limit must allow 1 or more starts (was {rate.Starts})";
        if (RateLimit is { } r && (!double.IsFinite(r.PeriodSeconds) || r.PeriodSeconds <= 0)) return $"a rate limit period must be more than 0 seconds (was {r.PeriodSeconds})";
        return null;
    }
}

/// <summary>Fluent setter of <see cref="TaskOptions"/> used at registration:
/// <c>o =&gt; o.Retries(3).Delay(1).Backoff(2)</c>.</summary>
public sealed class TaskOptionsBuilder
{
    internal TaskOptions Options { get; private set; } = TaskOptions.Default;

    /// <summary>Attempts allowed after the first fails.</summary>
    public TaskOptionsBuilder Retries(int retries) => Set(Options with { Retries = retries });

    /// <summary>Seconds before the first retry.</summary>
    public TaskOptionsBuilder Delay(double seconds) => Set(Options with { DelaySeconds = seconds });

    /// <summary>Time before the first retry.</summary>
    public TaskOptionsBuilder Delay(TimeSpan delay) => Delay(delay.TotalSeconds);

    /// <summary>Factor applied to the delay for each further retry.</summary>
    public TaskOptionsBuilder Backoff(double factor) => Set(Options with { Backoff = factor });

    /// <summary>Upper bound of any retry delay, in seconds.</summary>
    public TaskOptionsBuilder MaxDelay(double seconds) => Set(Options with { MaxDelaySeconds = seconds });

    /// <summary>Upper bound of any retry delay.</summary>
    public TaskOptionsBuilder MaxDelay(TimeSpan maxDelay) => MaxDelay(maxDelay.TotalSeconds);

    /// <summary>Default priority; higher runs first.</summary>
    public TaskOptionsBuilder Priority(int priority) => Set(Options with { Priority = priority });

    /// <summary>Seconds an attempt may run.</summary>
    public TaskOptionsBuilder Timeout(double seconds) => Set(Options with { TimeoutSeconds = seconds });

    /// <summary>Time an attempt may run.</summary>
    public TaskOptionsBuilder Timeout(TimeSpan timeout) => Timeout(timeout.TotalSeconds);

    /// <summary>Whether a task interrupted by a dying process runs again (default) or ends <c>interrupted</c>.</summary>
    public TaskOptionsBuilder RequeueOnInterrupt(bool requeue = true) => Set(Options with { RequeueOnInterrupt = requeue });

    /// <summary>At most this many tasks of this name run at once, cluster-wide.</summary>
    public TaskOptionsBuilder MaxConcurrency(int limit) => Set(Options with { MaxConcurrency = limit });

    /// <summary>At most <paramref name="starts"/> starts per <paramref name="period"/>, cluster-wide.</summary>
    public TaskOptionsBuilder RateLimit(int starts, TimeSpan period) =>
        Set(Options with { RateLimit = new TaskRateLimit(starts, period.TotalSeconds) });

    private TaskOptionsBuilder Set(TaskOptions options)
    {
        Options = options;
        return this;
    }
}

/// <summary>A start budget: at most <see cref="Starts"/> starts in any window of <see cref="PeriodSeconds"/>.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.TaskRateLimit.v1")]
public sealed record TaskRateLimit([property: Id(0)] int Starts, [property: Id(1)] double PeriodSeconds);
