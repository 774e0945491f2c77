using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Dispatch;

/// <summary>A silo's slot messages waiting to go to the dispatcher, in the order its tasks sent them, and whether the next
/// batch should wait for more: not after a quiet spell (no added latency on an idle silo), not once it is full, otherwise
/// while the previous batch is less than <c>window</c> old — under load the batches grow with the load instead of the
/// dispatcher's messages. Free of Orleans and of the clock (callers pass <c>now</c>); not thread-safe.</summary>
public sealed class SlotOutbox(TimeSpan window, int fullBatch)
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

    /// <summary>True while the waiting batch is worth holding back for more messages.</summary>
    public bool ShouldWait(DateTimeOffset now) =>
        _pending.Count < fullBatch && _lastSent is { } last && now - last < window;

    /// <summary>Takes every waiting message as the next batch, sent now.</summary>
    public ImmutableArray<SlotMessage> Take(DateTimeOffset now)
    {
        _lastSent = now;
        var batch = _pending.ToImmutableArray();
        _pending = [];
        return batch;
    }
}
