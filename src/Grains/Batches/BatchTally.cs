using System.Collections.Immutable;

namespace TaskFlow.Batches;

/// <summary>The batch's arithmetic, pure: open a batch, count a member's end once, and say when the batch is done.</summary>
public static class BatchTally
{
    /// <summary>A new batch of <paramref name="total"/> members.</summary>
    public static BatchState Open(int total, Guid? thenTaskId, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        return new BatchState { Opened = true, Total = total, ThenTaskId = thenTaskId, Ended = new byte[(total + 7) / 8], CreatedAt = now };
    }

    /// <summary>True when member <paramref name="index"/> has been counted.</summary>
    public static bool HasEnded(BatchState state, int index) => (state.Ended[index >> 3] & (1 << (index & 7))) != 0;

    /// <summary>Counts member <paramref name="index"/> as ended in <paramref name="status"/>: the same state when it was
    /// counted already (a repeated report) or the status is not terminal.</summary>
    public static BatchState Count(BatchState state, int index, TaskRunStatus status)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Opened || index < 0 || index >= state.Total || !status.IsTerminal() || HasEnded(state, index)) return state;
        var ended = (byte[])state.Ended.Clone();
        ended[index >> 3] |= (byte)(1 << (index & 7));
        return state with { Ended = ended, Counts = state.Counts.SetItem(status, state.Counts.GetValueOrDefault(status) + 1) };
    }

    /// <summary>Positions of the members not counted yet.</summary>
    public static IEnumerable<int> Unended(BatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (var i = 0; i < state.Total; i++)
        {
            if (!HasEnded(state, i)) yield return i;
        }
    }

    /// <summary>Counts by status: the ended members' from the state, plus the current statuses of the others.</summary>
    public static ImmutableDictionary<TaskRunStatus, int> Merge(BatchState state, IEnumerable<TaskRunStatus> unfinished)
    {
        ArgumentNullException.ThrowIfNull(state);
        var counts = state.Counts.ToBuilder();
        foreach (var status in unfinished) counts[status] = counts.GetValueOrDefault(status) + 1;
        return counts.ToImmutable();
    }
}
