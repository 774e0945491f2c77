using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;

namespace TaskFlow.Events;

/// <summary>The silo's relay (a plain singleton that task grains call in-process, not a grain): collects the status
/// changes of the silo's task grains and sends them to the hub every <see cref="FlushPeriod"/>, one message per batch. A
/// batch the hub did not take (it is moving, or a silo just died) is sent again, ahead of newer changes, so none is lost
/// or reordered; at most <see cref="MaxPending"/> changes wait (the oldest go first). When the silo stops, what is left
/// is sent once more after its grains are deactivated.</summary>
internal sealed class TaskEventsRelay(IGrainFactory grains, TimeProvider time, ILogger<TaskEventsRelay> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);
    public const int MaxPending = 10_000;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private readonly List<TaskRecord> _pending = [];
    private bool _armed;
    private bool _stopped;

    /// <summary>One status change.</summary>
    public void Changed(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            _pending.Add(record);
            Trim();
            if (_armed || _stopped) return;
            _armed = true;
        }
        Arm(FlushPeriod);
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TaskEventsRelay), ServiceLifecycleStage.RuntimeGrainServices, _ => Task.CompletedTask, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock) _stopped = true;
        await FlushAsync();
    }

    private void Arm(TimeSpan due)
    {
        // Off the calling grain's scheduler and without its execution context: the batch belongs to the silo.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(due, time);
                // Still armed while the batch is out, so the next one waits for it (and for its re-queuing if it failed).
                var sent = await FlushAsync();
                lock (_lock)
                {
                    if (_pending.Count == 0 || _stopped)
                    {
                        _armed = false;
                        return;
                    }
                }
                Arm(sent ? FlushPeriod : RetryPeriod);
            });
        }
    }

    /// <summary>Sends what waits; false when the hub did not take it (it then waits again, ahead of newer changes).</summary>
    private async Task<bool> FlushAsync()
    {
        ImmutableArray<TaskRecord> batch;
        lock (_lock)
        {
            if (_pending.Count == 0) return true;
            batch = [.. _pending];
            _pending.Clear();
        }
        try
        {
            await grains.GetGrain<ITaskEventsGrain>(0).Publish(batch).WaitAsync(PublishTimeout);
            return true;
        }
        catch (Exception ex)
        {
            Log.EventsNotPublished(logger, batch.Length, ex);
            lock (_lock)
            {
                if (_stopped) return false;
                _pending.InsertRange(0, batch);
                Trim();
            }
            return false;
        }
    }

    private void Trim()
    {
        if (_pending.Count > MaxPending) _pending.RemoveRange(0, _pending.Count - MaxPending);
    }
}
