using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using TaskFlow.Tasks;
using A = TaskFlow.TaskFlowTelemetry.Attributes;

namespace TaskFlow.Telemetry;

/// <summary>A silo's instruments on the Meter <see cref="TaskFlowTelemetry.MeterName"/> (one Meter per service
/// provider, from its <see cref="IMeterFactory"/>). Counters and histograms are recorded where the event happens (task
/// grains, attempts); the two gauges read the queue of the dispatcher, which lives on one silo: that silo reports them,
/// the others report nothing.</summary>
internal sealed class TaskFlowMetrics
{
    /// <summary>Bucket boundaries (seconds) for durations and waits: from 5 ms to 10 min.</summary>
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _wait;
    private volatile DispatchGauges? _gauges;

    public TaskFlowMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(TaskFlowTelemetry.MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _enqueued = meter.CreateCounter<long>("taskflow.tasks.enqueued", "{task}", "Tasks accepted (created), by task name.");
        _finished = meter.CreateCounter<long>("taskflow.tasks.finished", "{task}", "Tasks that reached a terminal status, by status and task name.");
        _attempts = meter.CreateCounter<long>("taskflow.task.attempts", "{attempt}", "Attempts that ended, by outcome and task name.");
        _duration = meter.CreateHistogram("taskflow.task.duration", "s", "How long each attempt's handler ran, by outcome and task name.", advice: seconds);
        _wait = meter.CreateHistogram("taskflow.task.wait", "s", "From enqueue to the start of the first attempt, by task name.", advice: seconds);
        meter.CreateObservableGauge("taskflow.tasks.queued", ObserveQueued, "{task}", "Tasks waiting for a slot, by priority and task name (reported by the silo of the dispatcher).");
        meter.CreateObservableGauge("taskflow.tasks.running", ObserveRunning, "{task}", "Tasks holding a slot, by task name (reported by the silo of the dispatcher).");
    }

    public void Enqueued(string taskName) => _enqueued.Add(1, new KeyValuePair<string, object?>(A.TaskName, taskName));

    public void Finished(string taskName, TaskRunStatus status) =>
        _finished.Add(1, new KeyValuePair<string, object?>(A.TaskName, taskName), new KeyValuePair<string, object?>(A.Status, StatusName(status)));

    public void AttemptEnded(string taskName, string outcome, TimeSpan duration)
    {
        var name = new KeyValuePair<string, object?>(A.TaskName, taskName);
        var result = new KeyValuePair<string, object?>(A.Outcome, outcome);
        _attempts.Add(1, name, result);
        _duration.Record(duration.TotalSeconds, name, result);
    }

    public void FirstStarted(string taskName, TimeSpan wait) =>
        _wait.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>(A.TaskName, taskName));

    /// <summary>The dispatcher's queue, as of its last tick; null when the dispatcher is not on this silo.</summary>
    public void PublishDispatch(DispatchGauges? gauges) => _gauges = gauges;

    /// <summary>Clears the gauges only if they are still those of <paramref name="owner"/> (a newer activation may have
    /// published since).</summary>
    public void WithdrawDispatch(object owner)
    {
        if (_gauges?.Owner == owner) _gauges = null;
    }

    private IEnumerable<Measurement<long>> ObserveQueued()
    {
        if (_gauges is not { } g) yield break;
        foreach (var ((priority, name), count) in g.Queued)
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>(A.TaskName, name), new KeyValuePair<string, object?>("priority", priority));
    }

    private IEnumerable<Measurement<long>> ObserveRunning()
    {
        if (_gauges is not { } g) yield break;
        foreach (var (name, count) in g.Running)
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>(A.TaskName, name));
    }

    /// <summary>The lower-case status name of the API.</summary>
    public static string StatusName(TaskRunStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>A snapshot of the dispatcher's queue for the gauges.</summary>
internal sealed record DispatchGauges(object Owner, ImmutableDictionary<(int Priority, string Name), int> Queued, ImmutableDictionary<string, int> Running);
