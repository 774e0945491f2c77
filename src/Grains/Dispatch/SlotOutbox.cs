using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>A silo's slot messages waiting to go to the dispatcher, in the order its tasks sent them, and when the next
/// batch may go: at once after a quiet spell (no added latency on an idle silo), otherwise one
/// <c>window</c> after the previous batch, so under load the dispatcher receives one message per silo per window
/// however many tasks run. Free of Orleans and of the clock (callers pass <c>now</c>); not thread-safe.</summary>
public sealed class SlotOutbox(TimeSpan window)
{
    private List<SlotMessage> _pending = [];
    private DateTimeOffset? _lastSent;

    /// <summary>Messages waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>Adds a message behind the ones waiting.</summary>
    public void Add(SlotMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _pending.Add(message);
    }

    /// <summary>How long to wait before the next batch may go.</summary>
    public TimeSpan DelayBeforeSend(DateTimeOffset now)
    {
        if (_lastSent is not { } last) return TimeSpan.Zero;
        var wait = last + window - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Takes every waiting message as the next batch, sent now.</summary>
    public ImmutableArray<SlotMessage> Take(DateTimeOffset now)
    {
        _lastSent = now;
        var batch = _pending.ToImmutableArray();
        _pending = [];
        return batch;
    }
}
