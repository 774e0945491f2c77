using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>The dispatcher's bookkeeping, free of Orleans: the waiting requests in run order and the slots in use.
/// Order: higher priority first, then earlier due time, then arrival.</summary>
public sealed class SlotQueue(int maxConcurrency, Func<string, int?> perTaskLimit)
{
    private readonly SortedSet<Entry> _waiting = new(EntryOrder.Instance);
    private readonly Dictionary<Guid, Entry> _waitingById = [];
    private readonly Dictionary<Guid, string> _running = [];
    private readonly Dictionary<string, int> _runningByName = new(StringComparer.Ordinal);
    private long _arrivals;

    /// <summary>Slots in use.</summary>
    public int Running => _running.Count;

    /// <summary>Requests waiting.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>The global limit.</summary>
    public int MaxConcurrency => maxConcurrency;

    /// <summary>True when the task holds a slot.</summary>
    public bool IsRunning(Guid taskId) => _running.ContainsKey(taskId);

    /// <summary>Queues a request; a task already waiting or holding a slot is not queued twice.</summary>
    public bool Enqueue(SlotRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_waitingById.ContainsKey(request.TaskId) || _running.ContainsKey(request.TaskId)) return false;
        var entry = new Entry(request, _arrivals++);
        _waiting.Add(entry);
        _waitingById[request.TaskId] = entry;
        return true;
    }

    /// <summary>Drops a waiting request.</summary>
    public bool Withdraw(Guid taskId)
    {
        if (!_waitingById.Remove(taskId, out var entry)) return false;
        _waiting.Remove(entry);
        return true;
    }

    /// <summary>Frees the slot a task held.</summary>
    public bool Release(Guid taskId)
    {
        if (!_running.Remove(taskId, out var name)) return false;
        if (--_runningByName[name] == 0) _runningByName.Remove(name);
        return true;
    }

    /// <summary>Takes as many waiting requests as free slots and per-task limits allow, in run order, and marks them
    /// running.</summary>
    public List<SlotRequest> TakeGrants()
    {
        var grants = new List<SlotRequest>();
        if (_running.Count >= maxConcurrency || _waiting.Count == 0) return grants;

        List<Entry>? taken = null;
        foreach (var entry in _waiting)
        {
            if (_running.Count >= maxConcurrency) break;
            var name = entry.Request.Name;
            if (perTaskLimit(name) is { } limit && _runningByName.GetValueOrDefault(name) >= limit) continue;
            (taken ??= []).Add(entry);
            _running[entry.Request.TaskId] = name;
            _runningByName[name] = _runningByName.GetValueOrDefault(name) + 1;
            grants.Add(entry.Request);
        }

        foreach (var entry in taken ?? [])
        {
            _waiting.Remove(entry);
            _waitingById.Remove(entry.Request.TaskId);
        }
        return grants;
    }

    /// <summary>Waiting requests counted by priority.</summary>
    public ImmutableDictionary<int, int> QueuedByPriority() =>
        _waiting.GroupBy(e => e.Request.Priority).ToImmutableDictionary(g => g.Key, g => g.Count());

    private sealed record Entry(SlotRequest Request, long Arrival);

    private sealed class EntryOrder : IComparer<Entry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var byPriority = y.Request.Priority.CompareTo(x.Request.Priority);
            if (byPriority != 0) return byPriority;
            var byDue = x.Request.DueAt.CompareTo(y.Request.DueAt);
            return byDue != 0 ? byDue : x.Arrival.CompareTo(y.Arrival);
        }
    }
}
