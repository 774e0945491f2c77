using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Tasks;

/// <summary>Lines and progress of the attempt in flight, written from the handler's threads and read by the grain
/// while it runs. Bounded so a chatty handler cannot bloat the task's stored state.</summary>
internal sealed class TaskLogBuffer(int attempt, TimeProvider time)
{
    public const int MaxLines = 200;
    public const int MaxMessageLength = 2_000;

    private readonly ConcurrentQueue<TaskLogEntry> _lines = new();
    private int _count;
    private long _progressBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public int Attempt => attempt;

    public double? Progress
    {
        get
        {
            var value = BitConverter.Int64BitsToDouble(Interlocked.Read(ref _progressBits));
            return double.IsNaN(value) ? null : value;
        }
    }

    public void Add(TaskLogLevel level, string message)
    {
        if (Interlocked.Increment(ref _count) > MaxLines)
        {
            if (_count == MaxLines + 1)
                _lines.Enqueue(new TaskLogEntry(time.GetUtcNow(), TaskLogLevel.Warning, $"Further log lines of attempt {attempt} were dropped (limit {MaxLines}).", attempt));
            return;
        }
        if (message.Length > MaxMessageLength) message = string.Concat(message.AsSpan(0, MaxMessageLength), "…");
        _lines.Enqueue(new TaskLogEntry(time.GetUtcNow(), level, message, attempt));
    }

    public void ReportProgress(double fraction) => Interlocked.Exchange(ref _progressBits, BitConverter.DoubleToInt64Bits(fraction));

    public ImmutableArray<TaskLogEntry> Snapshot() => [.. _lines];

    public static TaskLogLevel LevelOf(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => TaskLogLevel.Debug,
        LogLevel.Information => TaskLogLevel.Info,
        LogLevel.Warning => TaskLogLevel.Warning,
        _ => TaskLogLevel.Error,
    };
}
