namespace TaskFlow;

/// <summary>The code a task runs. Resolved from dependency injection in a fresh scope for every attempt.</summary>
/// <typeparam name="TArgs">The task's arguments; they travel as JSON and bind to this type.</typeparam>
public interface ITaskHandler<in TArgs>
{
    /// <summary>Runs one attempt. Throw to fail the attempt (it is retried per the task's options); honour
    /// <paramref name="cancellationToken"/>, which is signalled on cancellation and on timeout.</summary>
    Task RunAsync(TArgs args, TaskContext context, CancellationToken cancellationToken);
}
