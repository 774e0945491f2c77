using Microsoft.Extensions.Logging;

namespace TaskFlow;

/// <summary>Log messages of continuations and batches.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 80, Level = LogLevel.Warning, Message = "Task {TaskId} could not register with a task it waits for; it tries again shortly")]
    public static partial void ContinuationRegisterFailed(ILogger logger, Guid taskId, Exception exception);

    [LoggerMessage(EventId = 81, Level = LogLevel.Warning, Message = "Task {TaskId} could not tell batch {BatchId} that it ended")]
    public static partial void BatchNoticeFailed(ILogger logger, Guid taskId, Guid batchId, Exception exception);

    [LoggerMessage(EventId = 82, Level = LogLevel.Information, Message = "Batch {BatchId} is done ({Total} tasks); its then task {ThenTaskId} is released")]
    public static partial void BatchDone(ILogger logger, Guid batchId, int total, Guid? thenTaskId);
}
