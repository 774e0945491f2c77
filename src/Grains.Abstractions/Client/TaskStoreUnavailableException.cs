namespace TaskFlow;

/// <summary>The task store could not be reached; nothing was stored. The API answers 503.</summary>
/// <remarks>This exception crosses grain calls (a silo's store fails, an API node in Client mode answers), so it
/// carries only data every Orleans peer can read: a driver's exception given as the cause (e.g. Npgsql's, which
/// Orleans has no codec for) is kept as a <see cref="TaskStoreFailureException"/> holding its type, message and text.</remarks>
[GenerateSerializer, Alias("taskflow.TaskStoreUnavailableException")]
public sealed class TaskStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskStoreUnavailableException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TaskStoreUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause, reduced to serializable data.</summary>
    public TaskStoreUnavailableException(string message, Exception innerException) : base(message, TaskStoreFailureException.From(innerException)) { }
}

/// <summary>A store driver's exception reduced to what it said: its type name, message and full text (with its own
/// stack trace and causes), so it travels between silos and clients and still reaches the logs.</summary>
[GenerateSerializer, Alias("taskflow.TaskStoreFailureException")]
public sealed class TaskStoreFailureException : Exception
{
    /// <summary>Creates an empty failure (serialization).</summary>
    public TaskStoreFailureException() { }

    /// <summary>Creates a failure with a message.</summary>
    public TaskStoreFailureException(string message) : base(message) { }

    /// <summary>Creates a failure with a message and a cause, itself reduced.</summary>
    public TaskStoreFailureException(string message, Exception innerException) : base(message, From(innerException)) { }

    /// <summary>The full name of the original exception's type, e.g. <c>Npgsql.PostgresException</c>.</summary>
    [Id(0)] public string? OriginalType { get; init; }

    /// <summary>The original exception's <see cref="Exception.ToString"/>: message, causes and stack trace.</summary>
    [Id(1)] public string? OriginalText { get; init; }

    /// <summary>The exception itself when Orleans can carry it (TaskFlow's own), otherwise its reduction.</summary>
    public static Exception? From(Exception? exception) => exception switch
    {
        null => null,
        TaskStoreUnavailableException or TaskStoreFailureException => exception,
        _ => new TaskStoreFailureException($"{exception.GetType().FullName}: {exception.Message}")
        {
            OriginalType = exception.GetType().FullName,
            OriginalText = exception.ToString(),
        },
    };

    /// <inheritdoc/>
    public override string ToString() => OriginalText is { Length: > 0 } text ? $"{GetType().FullName} of {text}" : base.ToString();
}
