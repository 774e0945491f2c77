using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Tasks;

/// <summary>Runs one attempt of a handler off the grain's scheduler: a fresh DI scope, typed args, a timeout that
/// cancels the token, and an outcome that never throws.</summary>
internal sealed class AttemptRunner(IServiceScopeFactory scopes, TaskRegistry registry, TimeProvider time, ILoggerFactory loggers)
{
    public async Task<AttemptOutcome> RunAsync(TaskRecord record, int attempt, int maxAttempts, TimeSpan? timeout,
        TaskLogBuffer logs, CancellationToken userCancellation, CancellationToken interruption = default)
    {
        if (!registry.TryGet(record.Name, out var registration))
            return Failed($"No task named '{record.Name}' is registered on the silo that ran it.", "TaskNotRegistered", null, logs);

        object args;
        try
        {
            using var document = JsonDocument.Parse(record.ArgsJson);
            args = TaskArgsBinder.Bind(registration, document.RootElement);
        }
        catch (Exception ex) when (ex is TaskValidationException or JsonException)
        {
            // Stored args that no longer bind (the argument type changed since enqueue) fail the attempt, never the silo.
            return Failed($"The stored arguments no longer bind to {registration.ArgsType.Name}: {ex.Message}", nameof(ArgumentException), null, logs);
        }

        using var timeoutSource = timeout is { } t ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(userCancellation, interruption, timeoutSource.Token);
        var scope = scopes.CreateAsyncScope();
        var hostLogger = loggers.CreateLogger("TaskFlow.Tasks." + record.Name);
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
                return Failed($"The attempt ran longer than its timeout of {timeout.Value.TotalSeconds:0.###} s.", nameof(TimeoutException), null, logs);
            }
        }

        try
        {
            await run;
            return new AttemptOutcome { Result = AttemptResult.Succeeded, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress };
        }
        catch (OperationCanceledException) when (userCancellation.IsCancellationRequested)
        {
            return new AttemptOutcome { Result = AttemptResult.Cancelled, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress };
        }
        catch (OperationCanceledException) when (interruption.IsCancellationRequested)
        {
            return new AttemptOutcome
            {
                Result = AttemptResult.Interrupted, EndedAt = time.GetUtcNow(), Logs = logs.Snapshot(), Progress = logs.Progress,
                Error = "The silo running this attempt was cut off from the cluster and stopped it.",
            };
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested)
        {
            return Failed($"The attempt ran longer than its timeout of {timeout!.Value.TotalSeconds:0.###} s.", nameof(TimeoutException), ex.StackTrace, logs);
        }
        catch (Exception ex)
        {
            return Failed(ex.Message, ex.GetType().Name, ex.ToString(), logs);
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
