namespace TaskFlow;

/// <summary>The task store could not be reached; nothing was stored. The API answers 503.</summary>
[GenerateSerializer, Alias("taskflow.TaskStoreUnavailableException")]
public sealed class TaskStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskStoreUnavailableException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TaskStoreUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TaskStoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
