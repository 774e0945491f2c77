namespace TaskFlow.Hosting;

/// <summary>A background loop that runs while the silo is active: started once the silo can take calls, cancelled and
/// awaited when it stops.</summary>
internal abstract class ActiveSiloLoop : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>The stage at which the loop is stopped; by default as the silo stops being active, before anything else.</summary>
    protected virtual int StopStage => ServiceLifecycleStage.Active;

    public virtual void Participate(ISiloLifecycle lifecycle)
    {
        if (StopStage == ServiceLifecycleStage.Active)
        {
            lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, StopAsync);
            return;
        }
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, _ => Task.CompletedTask);
        lifecycle.Subscribe(GetType().Name, StopStage, _ => Task.CompletedTask, StopAsync);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The loop; <paramref name="stopping"/> is cancelled when the silo stops.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
