namespace TaskFlow.Storage;

/// <summary>How a group of task writes changes the counts by status, folded into one delta per status: a group of 512
/// writes updates a handful of counter rows once each instead of each row hundreds of times.</summary>
internal sealed class TaskCountDeltas
{
    private readonly Dictionary<string, long> _byStatus = new(StringComparer.Ordinal);

    /// <summary>A task's row went from status <paramref name="from"/> to <paramref name="to"/> (null: it did not exist
    /// before, or does not any more).</summary>
    public void Moved(string? from, string? to)
    {
        if (string.Equals(from, to, StringComparison.Ordinal)) return;
        if (from is not null) _byStatus[from] = _byStatus.GetValueOrDefault(from) - 1;
        if (to is not null) _byStatus[to] = _byStatus.GetValueOrDefault(to) + 1;
    }

    /// <summary>The statuses whose count changes, in name order (so concurrent writers lock counter rows in one order).</summary>
    public IReadOnlyList<(string Status, long Delta)> Changes =>
        [.. _byStatus.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value))];

    public bool IsEmpty => _byStatus.Values.All(delta => delta == 0);
}
