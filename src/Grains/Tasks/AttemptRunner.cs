using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskFlow.Telemetry;
using A = TaskFlow.TaskFlowTelemetry.Attributes;

namespace TaskFlow.Tasks;

/// <summary>Runs one attempt of a handler off the grain's scheduler: a fresh DI scope, typed args, a timeout that
/// cancels the token, and an outcome that never throws. Each attempt is a Consumer span in the task's trace (the
/// stored W3C context), is counted and timed, and the handler's log lines carry the task id, name and attempt as scope
/// values.</summary>
internal sealed class AttemptRunner(IServiceScopeFactory scopes, TaskRegistry registry, TimeProvider time, ILoggerFactory loggers, TaskFlowMetrics metrics)
{
    /// <summary>The log category of a handler's lines, before its task name: apart from the runtime's own categories.</summary>
    public const string HandlerCategory = "TaskFlow.Handlers.";

    public async Task<AttemptOutcome> RunAsync(TaskRecord record, int attempt, int maxAttempts, TimeSpan? timeout,
        TaskLogBuffer logs, CancellationToken userCancellation, CancellationToken interruption = default)
    {
        // The attempt's span hangs under the enqueue (its stored context), never under whatever runs here.
        Activity.Current = null;
        var parent = record.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context)
            ? context
            : default;
        using var activity = TaskFlowTelemetry.Source.StartActivity("process " + record.Name, ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(A.MessagingSystem, "taskflow");
            activity.SetTag(A.OperationType, "process");
            activity.SetTag(A.OperationName, "run");
            activity.SetTag(A.Destination, record.Name);
            activity.SetTag(A.MessageId, record.TaskId.ToString("D"));
            activity.SetTag(A.Attempt, attempt);
            activity.SetTag(A.Priority, record.Priority);
            if (record.ScheduleName is { } schedule) activity.SetTag(A.Schedule, schedule);
        }
        var started = time.GetTimestamp();
        if (attempt == 1) metrics.FirstStarted(record.Name, time.GetUtcNow() - record.CreatedAt);

        var hostLogger = loggers.CreateLogger(HandlerCategory + record.Name);
        using var scope = hostLogger.BeginScope(new TaskLogScope(record.TaskId, record.Name, attempt));
        var (outcome, exception) = await RunHandlerAsync(record, attempt, maxAttempts, timeout, logs, hostLogger, userCancellation, interruption);

        var result = OutcomeName(outcome);
        metrics.AttemptEnded(record.Name, result, time.GetElapsedTime(started));
        if (activity is not null)
        {
            activity.SetTag(A.Outcome, result);
            if (outcome.Result != AttemptResult.Succeeded)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
                activity.SetTag(A.ErrorType, outcome.ErrorType);
                if (exception is not null) activity.AddException(exception);
            }
        }
        return outcome;
    }

    /// <summary>The <c>outcome</c> attribute of an attempt.</summary>
    internal static string OutcomeName(AttemptOutcome outcome) => outcome.Result switch
    {
        AttemptResult.Succeeded => "success",
        AttemptResult.Cancelled => "cancelled",
        AttemptResult.Interrupted => "interrupted",
        _ when outcome.ErrorType == nameof(TimeoutException) => "timeout",
        _ => "failure",
    };

    private async Task<(AttemptOutcome Outcome, Exception? Exception)> RunHandlerAsync(TaskRecord record, int attempt, int maxAttempts,
        TimeSpan? timeout, TaskLogBuffer logs, ILogger hostLogger, CancellationToken userCancellation, CancellationToken interruption)
    {
        if (!registry.TryGet(record.Name, out var registration))
            return (Failed($"No task named '{record.Name}' is registered on the silo that ran it.", "TaskNotRegistered", null, logs), null);

        object args;
        try
        {
            using var document = JsonDocument.Parse(record.ArgsJson);
            args = TaskArgsBinder.Bind(registration, document.RootElement);
        }
        catch (Exception ex) when (ex is TaskValidationException or JsonException)
        {
            // Stored args that no longer bind (the argument type changed since enqueue) fail the attempt, never the silo.
            return (Failed($"The stored arguments no longer bind to {registration.ArgsType.Name}: {ex.Message}", nameof(ArgumentException), null, logs), ex);
        }

        using var timeoutSource = timeout is { } t ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(userCancellation, interruption, timeoutSource.Token);
        var scope = scopes.CreateAsyncScope();
        var context = new TaskContext(record.TaskId, record.Name, attempt, maxAttempts, new TaskLogger(logs, hostLogger),
            record.Tags, logs.ReportProgress);

        var run = Task.Run(() => registration.InvokeAsync(scope.ServiceProvider, args, context, linked.Token), CancellationToken.None);
        if (timeout is not null)
        {
            var timedOut = Task.Delay(Timeout.InfiniteTimeSpan, time, timeoutSource.Token);
            if (await Task.WhenAny(run, timedOut) != run)
            {
                // The handler was told through its token; its slot is not held hostage while it winds down.
                _ = run.ContinueWith(static (_, s) => ((AsyncServiceScope)s!).DisposeAsync(), scope, TaskScheduler.Default);
                return (Failed($"The attempt ran longer than its timeout of {timeout.Value.TotalSeconds:0.###} s.", nameof(TimeoutException), null, logs), null);
            }
        }

        try
        {
            await run;
            return (new AttemptOutcome { Result = AttemptResult.Succeeded, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress }, null);
        }
        catch (OperationCanceledException) when (userCancellation.IsCancellationRequested)
        {
            return (new AttemptOutcome { Result = AttemptResult.Cancelled, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress }, null);
        }
        catch (OperationCanceledException) when (interruption.IsCancellationRequested)
        {
            return (new AttemptOutcome
            {
                Result = AttemptResult.Interrupted, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress,
                Error = "The silo running this attempt was cut off from the cluster and stopped it.",
            }, null);
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested)
        {
            return (Failed($"The attempt ran longer than its timeout of {timeout!.Value.TotalSeconds:0.###} s.", nameof(TimeoutException), ex.StackTrace, logs), ex);
        }
        catch (Exception ex)
        {
            return (Failed(ex.Message, ex.GetType().Name, ex.ToString(), logs), ex);
        }
        finally
        {
            if (run.IsCompleted) await scope.DisposeAsync();
        }
    }

    private AttemptOutcome Failed(string error, string errorType, string? stackTrace, TaskLogBuffer logs) => new()
    {
        Result = AttemptResult.Failed,
        EndedAt = time.GetUtcNow(),
        Error = error,
        ErrorType = errorType,
        StackTrace = stackTrace,
        Logs = logs.Snapshot(),
        Progress = logs.Progress,
    };
}

/// <summary>The scope of a handler's log lines: task id, name and attempt as structured values.</summary>
internal sealed class TaskLogScope(Guid taskId, string taskName, int attempt) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", taskId),
        1 => new("TaskName", taskName),
        2 => new("Attempt", attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Task {taskId} ({taskName}) attempt {attempt}";
}
