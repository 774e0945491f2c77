using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Hosting;

/// <summary>A silo's graceful stop. Attempts running on this silo are counted; when the silo stops, it takes no new
/// attempts (task grains hand granted slots back and move to another silo) and waits for the running ones to finish
/// and store their outcome, for at most <see cref="TaskFlowOptions.ShutdownGrace"/>. Only then does Orleans deactivate
/// the silo's grains, which interrupts whatever is still running (queued again or marked interrupted).</summary>
/// <remarks>It stops in the same lifecycle stage in which Orleans marks the silo <c>ShuttingDown</c> in the membership
/// table, so while it waits other silos already place new activations elsewhere, and this silo's grains still answer.</remarks>
internal sealed class SiloDrain(IOptions<TaskFlowOptions> options, TimeProvider time, ILogger<SiloDrain> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _gate = new();
    private int _running;
    private TaskCompletionSource? _idle;

    /// <summary>True once the silo has begun to stop: no attempt may start here any more.</summary>
    public bool IsDraining { get; private set; }

    /// <summary>Attempts running on this silo (started and not yet stored as ended).</summary>
    public int Running
    {
        get
        {
            lock (_gate) return _running;
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloDrain), ServiceLifecycleStage.BecomeActive, _ => Task.CompletedTask, DrainAsync);

    /// <summary>Counts an attempt in, unless the silo is draining; <see cref="AttemptEnded"/> counts it out once its
    /// outcome is stored (or lost). Checked and counted at once, so no attempt starts unseen by the drain.</summary>
    public bool TryBeginAttempt()
    {
        lock (_gate)
        {
            if (IsDraining) return false;
            _running++;
            return true;
        }
    }

    public void AttemptEnded()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            _running--;
            if (_running == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }
        idle?.TrySetResult();
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task idle;
        int running;
        lock (_gate)
        {
            IsDraining = true;
            running = _running;
            idle = running == 0 ? Task.CompletedTask : (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        if (running == 0) return;

        var grace = options.Value.ShutdownGrace;
        Log.Draining(logger, running, grace);
        var clock = Stopwatch.StartNew();
        try
        {
            await idle.WaitAsync(grace, time, cancellationToken);
            Log.Drained(logger, clock.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.DrainGraceOver(logger, Running, clock.Elapsed.TotalSeconds);
        }
    }
}
