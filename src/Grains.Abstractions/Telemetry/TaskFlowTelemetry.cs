using System.Diagnostics;

namespace TaskFlow;

/// <summary>TaskFlow's OpenTelemetry names. Traces come from the <see cref="ActivitySource"/> named
/// <see cref="SourceName"/>: an enqueue is a span of kind Producer under the caller's current activity, each attempt a
/// span of kind Consumer in the same trace (the W3C context is stored with the task, so a restart or a move keeps it),
/// and each schedule fire starts a trace of its own. Metrics come from the Meter named <see cref="MeterName"/>.
/// TaskFlow only emits; an app exports with <c>AddSource(TaskFlowTelemetry.SourceName)</c> and
/// <c>AddMeter(TaskFlowTelemetry.MeterName)</c>.</summary>
public static class TaskFlowTelemetry
{
    /// <summary>The ActivitySource of TaskFlow's spans.</summary>
    public const string SourceName = "TaskFlow";

    /// <summary>The Meter of TaskFlow's instruments.</summary>
    public const string MeterName = "TaskFlow";

    internal static readonly ActivitySource Source = new(SourceName, typeof(TaskFlowTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Span and metric attribute names (OpenTelemetry messaging conventions where they fit).</summary>
    public static class Attributes
    {
        /// <summary>Always <c>taskflow</c> on spans.</summary>
        public const string MessagingSystem = "messaging.system";
        /// <summary><c>send</c> (enqueue, schedule fire) or <c>process</c> (attempt).</summary>
        public const string OperationType = "messaging.operation.type";
        /// <summary><c>enqueue</c>, <c>fire</c> or <c>run</c>.</summary>
        public const string OperationName = "messaging.operation.name";
        /// <summary>The task name, on spans.</summary>
        public const string Destination = "messaging.destination.name";
        /// <summary>The task id, on spans.</summary>
        public const string MessageId = "messaging.message.id";
        /// <summary>The task name, on metrics.</summary>
        public const string TaskName = "task.name";
        /// <summary>The attempt number (1 for the first).</summary>
        public const string Attempt = "taskflow.task.attempt";
        /// <summary>The task's priority (spans); <c>priority</c> on the queued gauge.</summary>
        public const string Priority = "taskflow.task.priority";
        /// <summary>How an attempt ended: <c>success</c>, <c>failure</c>, <c>timeout</c>, <c>cancelled</c>, <c>interrupted</c>.</summary>
        public const string Outcome = "outcome";
        /// <summary>A finished task's status.</summary>
        public const string Status = "status";
        /// <summary>The exception type of a failed attempt.</summary>
        public const string ErrorType = "error.type";
        /// <summary>The schedule that fired a task.</summary>
        public const string Schedule = "taskflow.schedule.name";
    }

    /// <summary>The W3C <c>traceparent</c> of a trace id, for a record's <c>traceId</c>: null when absent or malformed.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context.TraceId.ToHexString() : null;

    /// <summary>Starts the enqueue span (Producer, under the caller's current activity).</summary>
    internal static Activity? StartEnqueue(string taskName, Guid taskId, int? priority)
    {
        var activity = StartSend("enqueue", taskName, taskId);
        if (activity is { IsAllDataRequested: true } && priority is { } p) activity.SetTag(Attributes.Priority, p);
        return activity;
    }

    /// <summary>Starts the span of a schedule's fire: the root of a trace of its own (Producer), whatever runs around it.</summary>
    internal static Activity? StartFire(string scheduleName, Guid taskId, DateTimeOffset occurrence)
    {
        Activity.Current = null;
        var activity = StartSend("fire", scheduleName, taskId);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.Schedule, scheduleName);
            activity.SetTag("taskflow.schedule.occurrence", occurrence.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        return activity;
    }

    /// <summary>A Producer span <c>send {destination}</c> with the messaging attributes every send carries.</summary>
    private static Activity? StartSend(string operation, string destination, Guid taskId)
    {
        var activity = Source.StartActivity("send " + destination, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Attributes.MessagingSystem, "taskflow");
            activity.SetTag(Attributes.OperationType, "send");
            activity.SetTag(Attributes.OperationName, operation);
            activity.SetTag(Attributes.Destination, destination);
            activity.SetTag(Attributes.MessageId, taskId.ToString("D"));
        }
        return activity;
    }

    /// <summary>The context a new task carries: the enqueue span's, else the caller's current activity's, else a fresh
    /// one (marked recorded, so that the silo's sampler decides), so every task has a trace id.</summary>
    internal static string ContextForNewTask(Activity? enqueue)
    {
        if ((enqueue ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } current) return current.Id!;
        return $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    /// <summary>Marks a span failed with the exception.</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag(Attributes.ErrorType, exception.GetType().FullName);
        activity.AddException(exception);
    }
}
