using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>The dispatcher's bookkeeping, free of Orleans and of the clock (callers pass <c>now</c>): the waiting
/// requests in run order, the slots in use with their leases, and per-task start windows for rate limits.
/// Order: higher priority first, then earlier due time, then arrival.</summary>
public sealed class SlotQueue(int maxConcurrency, Func<string, TaskOptions?> optionsOf, TimeSpan lease)
{
    private readonly SortedSet<Entry> _waiting = new(EntryOrder.Instance);
    private readonly Dictionary<Guid, Entry> _waitingById = [];
    // Waiting requests per task name: the rate-limit check after every grant walks names, not the whole queue.
    private readonly Dictionary<string, int> _waitingByName = new(StringComparer.Ordinal);
    // Waiting requests per priority and name: what the queued gauge and the metrics' queue by priority read.
    private readonly Dictionary<(int Priority, string Name), int> _waitingByKey = [];
    private readonly Dictionary<Guid, Grant> _running = [];
    private readonly Dictionary<string, int> _runningByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _startsByName = new(StringComparer.Ordinal);
    private long _arrivals;

    /// <summary>Slots in use.</summary>
    public int Running => _running.Count;

    /// <summary>Requests waiting.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>The global limit.</summary>
    public int MaxConcurrency => maxConcurrency;

    /// <summary>True when the task holds a slot.</summary>
    public bool IsRunning(Guid taskId) => _running.ContainsKey(taskId);

    /// <summary>True when the task waits for a slot.</summary>
    public bool IsWaiting(Guid taskId) => _waitingById.ContainsKey(taskId);

    /// <summary>Queues a request; a task already waiting or holding a slot is not queued twice.</summary>
    public bool Enqueue(SlotRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_waitingById.ContainsKey(request.TaskId) || _running.ContainsKey(request.TaskId)) return false;
        var entry = new Entry(request, _arrivals++);
        _waiting.Add(entry);
        _waitingById[request.TaskId] = entry;
        _waitingByName[request.Name] = _waitingByName.GetValueOrDefault(request.Name) + 1;
        var key = (request.Priority, request.Name);
        _waitingByKey[key] = _waitingByKey.GetValueOrDefault(key) + 1;
        return true;
    }

    /// <summary>Drops a waiting request.</summary>
    public bool Withdraw(Guid taskId)
    {
        if (!_waitingById.Remove(taskId, out var entry)) return false;
        _waiting.Remove(entry);
        StopWaiting(entry.Request);
        return true;
    }

    /// <summary>Frees the slot a task held.</summary>
    public bool Release(Guid taskId)
    {
        if (!_running.Remove(taskId, out var grant)) return false;
        if (--_runningByName[grant.Name] == 0) _runningByName.Remove(grant.Name);
        return true;
    }

    /// <summary>A running task says it is alive: its lease is extended. A task the queue does not know (the dispatcher
    /// was rebuilt while it ran) is counted again, so the limit keeps holding.</summary>
    public void Renew(Guid taskId, string name, DateTimeOffset now)
    {
        Withdraw(taskId);
        if (_running.TryGetValue(taskId, out var grant))
        {
            _running[taskId] = grant with { ExpiresAt = now + lease };
            return;
        }
        _running[taskId] = new Grant(name, now + lease);
        _runningByName[name] = _runningByName.GetValueOrDefault(name) + 1;
    }

    /// <summary>Applies one message of a task. A silo's messages arrive in batches and are applied in the order its tasks
    /// sent them: a task that gives its slot back and asks again (a re-run) must be released before it is queued.</summary>
    public void Apply(SlotMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Kind)
        {
            case SlotMessageKind.Request:
                Enqueue(message.AsRequest());
                break;
            case SlotMessageKind.Release:
                Release(message.TaskId);
                break;
            case SlotMessageKind.Withdraw:
                Withdraw(message.TaskId);
                break;
            case SlotMessageKind.Renew:
                Renew(message.TaskId, message.Name, now);
                break;
            case SlotMessageKind.Resynced:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(message), message.Kind, "Unknown slot message.");
        }
    }

    /// <summary>Frees the slots whose lease ran out (their task's silo died, or it stopped renewing) and returns their
    /// tasks, which the dispatcher then asks to recover.</summary>
    public List<Guid> ExpireLeases(DateTimeOffset now)
    {
        var expired = _running.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList();
        foreach (var id in expired) Release(id);
        return expired;
    }

    /// <summary>Takes as many waiting requests as free slots, per-task limits and rate limits allow, in run order, and
    /// marks them running with a fresh lease.</summary>
    public List<SlotRequest> TakeGrants(DateTimeOffset now)
    {
        var grants = new List<SlotRequest>();
        if (_running.Count >= maxConcurrency || _waiting.Count == 0) return grants;

        List<Entry>? taken = null;
        foreach (var entry in _waiting)
        {
            if (_running.Count >= maxConcurrency) break;
            var name = entry.Request.Name;
            var options = optionsOf(name);
            if (options?.MaxConcurrency is { } limit && _runningByName.GetValueOrDefault(name) >= limit) continue;
            if (options?.RateLimit is { } rate && !MayStart(name, rate, now)) continue;
            (taken ??= []).Add(entry);
            _running[entry.Request.TaskId] = new Grant(name, now + lease);
            _runningByName[name] = _runningByName.GetValueOrDefault(name) + 1;
            if (options?.RateLimit is not null) StartsOf(name).Enqueue(now);
            grants.Add(entry.Request);
        }

        foreach (var entry in taken ?? [])
        {
            _waiting.Remove(entry);
            _waitingById.Remove(entry.Request.TaskId);
            StopWaiting(entry.Request);
        }
        return grants;
    }

    /// <summary>When a task held back only by its rate limit may start, or null when none is.</summary>
    public DateTimeOffset? NextRateLimitOpening(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var name in _waitingByName.Keys)
        {
            if (optionsOf(name)?.RateLimit is not { } rate || MayStart(name, rate, now)) continue;
            var opens = StartsOf(name).Peek() + TimeSpan.FromSeconds(rate.PeriodSeconds);
            if (next is null || opens < next) next = opens;
        }
        return next;
    }

    /// <summary>Waiting requests counted by priority.</summary>
    public ImmutableDictionary<int, int> QueuedByPriority() =>
        _waitingByKey.GroupBy(p => p.Key.Priority).ToImmutableDictionary(g => g.Key, g => g.Sum(p => p.Value));

    /// <summary>Waiting requests counted by priority and task name.</summary>
    public ImmutableDictionary<(int Priority, string Name), int> QueuedByPriorityAndName() => _waitingByKey.ToImmutableDictionary();

    /// <summary>Slots in use counted by task name.</summary>
    public ImmutableDictionary<string, int> RunningByName() => _runningByName.ToImmutableDictionary(StringComparer.Ordinal);

    private bool MayStart(string name, TaskRateLimit rate, DateTimeOffset now)
    {
        var starts = StartsOf(name);
        var windowStart = now - TimeSpan.FromSeconds(rate.PeriodSeconds);
        while (starts.Count > 0 && starts.Peek() <= windowStart) starts.Dequeue();
        return starts.Count < rate.Starts;
    }

    private void StopWaiting(SlotRequest request)
    {
        if (--_waitingByName[request.Name] == 0) _waitingByName.Remove(request.Name);
        var key = (request.Priority, request.Name);
        if (--_waitingByKey[key] == 0) _waitingByKey.Remove(key);
    }

    private Queue<DateTimeOffset> StartsOf(string name)
    {
        if (!_startsByName.TryGetValue(name, out var starts)) _startsByName[name] = starts = new Queue<DateTimeOffset>();
        return starts;
    }

    private sealed record Entry(SlotRequest Request, long Arrival);

    private sealed record Grant(string Name, DateTimeOffset ExpiresAt);

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
