using System.Collections.Concurrent;

namespace TaskFlow.Benchmarks;

/// <summary>Counts the messages each grain activation handles (an incoming call filter): the busiest one bounds how far
/// the cluster scales, since one activation handles its messages one at a time on one silo.</summary>
internal sealed class MessageCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(GrainId Grain, ActivationId Activation), long> _counts = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        _counts.AddOrUpdate((context.TargetId, context.TargetContext.ActivationId), 1, static (_, n) => n + 1);
        return context.Invoke();
    }

    public void Reset() => _counts.Clear();

    /// <summary>The activation that handled the most messages since <see cref="Reset"/>, and how many.</summary>
    public (string Grain, long Messages) Busiest()
    {
        var top = _counts.OrderByDescending(p => p.Value).FirstOrDefault();
        return (top.Key.Grain.ToString(), top.Value);
    }
}
