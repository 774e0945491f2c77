using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Hosting;

namespace TaskFlow.Cluster;

/// <summary>On every silo: reports the attempts running here and whether the silo is stopping to the cluster status
/// grain every <see cref="Period"/>, from the moment the silo is active until its drain is over, so the dashboard watches
/// a stopping silo's attempts finish.</summary>
internal sealed class ClusterReporter(IGrainFactory grains, SiloHealth health, SiloDrain drain, TimeProvider time, ILogger<ClusterReporter> logger)
    : ActiveSiloLoop
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    // Stops after the drain (which stops in the stage above), before grains are deactivated.
    protected override int StopStage => ServiceLifecycleStage.GrainDeactivation;

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var status = grains.GetGrain<IClusterStatusGrain>(0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await status.Report(new SiloReport { Host = health.Host, RunningAttempts = drain.Running, Draining = drain.IsDraining, At = time.GetUtcNow() });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ClusterReportFailed(logger, ex);
            }
            try
            {
                await Task.Delay(Period, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
