using Microsoft.Extensions.Logging;

namespace TaskFlow.Tasks;

/// <summary>The logger a handler gets in its <see cref="TaskContext"/>: each line goes into the task's record and on to
/// the host's own logging.</summary>
internal sealed class TaskLogger(TaskLogBuffer buffer, ILogger host) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => host.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.None) return;
        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception);
        if (exception is not null) message = $"{message} ({exception.GetType().Name}: {exception.Message})";
        buffer.Add(TaskLogBuffer.LevelOf(logLevel), message);
        if (host.IsEnabled(logLevel)) host.Log(logLevel, eventId, state, exception, formatter);
    }
}
