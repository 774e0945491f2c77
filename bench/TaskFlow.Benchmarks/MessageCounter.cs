using System.Collections.Concurrent;

namespace TaskFlow.Benchmarks;

/// <summary>Counts the messages each grain activation handles (an incoming call filter): the busiest one bounds how far
/// the cluster scales, since one activation handles its messages one at a time on one silo.</summary>
internal sealed class MessageCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(GrainId Grain, ActivationId Activation), long> _counts = new();

    // Observers (the silos' dispatch agents) have no activation id: each is counted under its object id alone.
    private readonly ConcurrentDictionary<GrainType, bool> _withoutActivation = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        _counts.AddOrUpdate((context.TargetId, ActivationOf(context.TargetContext)), 1, static (_, n) => n + 1);
        return context.Invoke();
    }

    private ActivationId ActivationOf(IGrainContext target)
    {
        if (_withoutActivation.TryGetValue(target.GrainId.Type, out var without) && without) return default;
        try
        {
            var id = target.ActivationId;
            _withoutActivation.TryAdd(target.GrainId.Type, false);
            return id;
        }
        catch (NotImplementedException)
        {
            _withoutActivation[target.GrainId.Type] = true;
            return default;
        }
    }

    public void Reset() => _counts.Clear();

    /// <summary>The activation that handled the most messages since <see cref="Reset"/>, and how many.</summary>
    public (string Grain, long Messages) Busiest() => Busiest(1).FirstOrDefault(("none", 0));

    /// <summary>The <paramref name="count"/> activations that handled the most messages, busiest first.</summary>
    public List<(string Grain, long Messages)> Busiest(int count) =>
        [.. _counts.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key.Grain.ToString(), p.Value))];
}
