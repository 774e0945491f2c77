using System.Globalization;
using Orleans.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>One conditional write waiting for its group's commit: a task row, or a keyed grain state (<c>Json</c> null
/// clears it). <see cref="Done"/> completes with the new version, or fails with the write's own error.</summary>
internal abstract record PendingWrite(string? ExpectedETag)
{
    public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The version the write stores when it succeeds: versions count writes, starting at 1.</summary>
    public string NextETag => (ParseETag(ExpectedETag) + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>What the conditional write matched no row for: another writer got there first.</summary>
    public InconsistentStateException Conflict() =>
        new($"{What} was written by someone else first.", "", ExpectedETag ?? "");

    protected abstract string What { get; }

    /// <summary>A stored version as a number: 0 for none, -1 for text no store wrote (it matches no row).</summary>
    public static long ParseETag(string? etag) =>
        etag is null ? 0 : long.TryParse(etag, CultureInfo.InvariantCulture, out var value) ? value : -1;

    public sealed record Task(TaskState Value, string Json, string? ExpectedETag) : PendingWrite(ExpectedETag)
    {
        protected override string What => $"Task {Value.Record.TaskId}";
    }

    public sealed record State(string GrainType, string Key, string? Json, string? ExpectedETag) : PendingWrite(ExpectedETag)
    {
        protected override string What => $"{GrainType}/{Key}";
    }
}

/// <summary>How one write of a group ended: its new version, or its error.</summary>
internal readonly record struct WriteOutcome(string? ETag, Exception? Error)
{
    public static WriteOutcome Stored(string etag) => new(etag, null);

    public static WriteOutcome Failed(Exception error) => new(null, error);
}
