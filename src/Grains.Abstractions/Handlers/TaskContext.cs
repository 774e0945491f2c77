using Microsoft.Extensions.Logging;

namespace TaskFlow;

/// <summary>What a handler knows about the task it runs.</summary>
public sealed class TaskContext
{
    private readonly Action<double>? _reportProgress;

    /// <summary>Creates a context; the runtime does this for every attempt.</summary>
    public TaskContext(Guid taskId, string taskName, int attempt, int maxAttempts, ILogger logger,
        IReadOnlyDictionary<string, string>? tags = null, Action<double>? reportProgress = null)
    {
        TaskId = taskId;
        TaskName = taskName;
        Attempt = attempt;
        MaxAttempts = maxAttempts;
        Logger = logger;
        Tags = tags ?? new Dictionary<string, string>();
        _reportProgress = reportProgress;
    }

    /// <summary>The task's id.</summary>
    public Guid TaskId { get; }

    /// <summary>The registered task name.</summary>
    public string TaskName { get; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; }

    /// <summary>Attempts the task may make in all (retries + 1).</summary>
    public int MaxAttempts { get; }

    /// <summary>A logger whose lines are kept in the task's record (and also go to the host's logging).</summary>
    public ILogger Logger { get; }

    /// <summary>Tags the task was enqueued with.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Reports how far the attempt has got, from 0 to 1; shown in the task's record.</summary>
    public void ReportProgress(double fraction)
    {
        if (!double.IsFinite(fraction)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Progress must be a number from 0 to 1.");
        _reportProgress?.Invoke(Math.Clamp(fraction, 0, 1));
    }
}
