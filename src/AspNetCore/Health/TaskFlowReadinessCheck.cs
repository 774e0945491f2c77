using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskFlow.Grains;

namespace TaskFlow.Health;

/// <summary>Ready when a grain call reaches the dispatcher: the cluster is joined and grains answer.</summary>
internal sealed class TaskFlowReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    public const string Tag = "ready";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var snapshot = await grains.GetGrain<IDispatcherGrain>(0).Snapshot().WaitAsync(Limit, cancellationToken);
            return HealthCheckResult.Healthy($"{snapshot.Running} of {snapshot.MaxConcurrency} slots in use.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The TaskFlow cluster did not answer.", ex is TimeoutException ? null : ex);
        }
    }
}
