using Microsoft.Extensions.Logging;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>Stops this silo's attempts when it is cut off from the cluster (<see cref="SiloIsolation"/>): every
/// second it calls a few other active silos directly (no grain directory in the way) and reads the task store; after
/// <see cref="SiloIsolation.Limit"/> without an answer from either, <see cref="Token"/> is cancelled, which cancels the
/// running handlers (their attempts end interrupted) and no new attempt starts here until contact is back.</summary>
internal sealed class SiloFence(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    ITaskStore store,
    TimeProvider time,
    ILogger<SiloFence> logger) : ActiveSiloLoop
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1.5);
    private const int PeersPerRound = 3;

    private readonly Lock _gate = new();
    private CancellationTokenSource _contact = new();
    private SiloIsolation? _state;

    /// <summary>True while this silo counts itself cut off.</summary>
    public bool IsIsolated
    {
        get
        {
            lock (_gate) return _state?.Isolated ?? false;
        }
    }

    /// <summary>Cancelled when the silo becomes cut off; a fresh one is handed out once contact is back.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (_gate) return _contact.Token;
        }
    }

    protected override async Task RunAsync(CancellationToken stopping)
    {
        lock (_gate) _state = SiloIsolation.Start(time.GetUtcNow());
        while (!stopping.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            IsolationCheck check;
            try
            {
                check = await CheckAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            Record(check);
            var rest = Period - (time.GetUtcNow() - started);
            try
            {
                if (rest > TimeSpan.Zero) await Task.Delay(rest, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<IsolationCheck> CheckAsync(CancellationToken stopping)
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Dead)
            return new IsolationCheck(Alone: false, PeerAnswered: false, StoreAnswered: false, DeclaredDead: true);
        var peers = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.SiloAddress)
            .OrderBy(_ => Random.Shared.Next())
            .Take(PeersPerRound)
            .ToArray();
        if (peers.Length == 0) return new IsolationCheck(Alone: true, PeerAnswered: false, StoreAnswered: false, DeclaredDead: false);

        // The management grain is a stateless worker (local), and its per-silo calls go straight to each silo's control
        // target: an answer means that silo and this one can talk.
        var management = grains.GetGrain<IManagementGrain>(0);
        var peerCalls = peers.Select(p => Answers(management.GetRuntimeStatistics([p]), stopping)).ToArray();
        var storeCall = Answers(store.ReadTaskAsync(Guid.Empty, stopping), stopping);
        var peerAnswered = false;
        foreach (var call in peerCalls) peerAnswered |= await call;
        return new IsolationCheck(Alone: false, peerAnswered, await storeCall, DeclaredDead: false);
    }

    private async Task<bool> Answers(Task call, CancellationToken stopping)
    {
        try
        {
            await call.WaitAsync(CallTimeout, time, stopping);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Record(IsolationCheck check)
    {
        CancellationTokenSource? cut = null;
        bool wasIsolated, isolated;
        lock (_gate)
        {
            var before = _state ?? SiloIsolation.Start(time.GetUtcNow());
            _state = before.Observe(time.GetUtcNow(), check);
            wasIsolated = before.Isolated;
            isolated = _state.Isolated;
            if (isolated && !wasIsolated) cut = _contact;
            else if (!isolated && wasIsolated) _contact = new CancellationTokenSource();
        }
        if (cut is not null)
        {
            Log.SiloIsolated(logger, SiloIsolation.Limit.TotalSeconds);
            cut.Cancel();
        }
        else if (wasIsolated && !isolated)
        {
            Log.SiloReconnected(logger);
        }
    }
}
