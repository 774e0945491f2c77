using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskFlow.Endpoints;
using TaskFlow.Grains;

namespace TaskFlow.Health;

/// <summary>Ready when a grain call reaches the dispatcher (the cluster is joined and grains answer) and a one-row
/// history query answers (the task store is reachable from the cluster): a node whose store is away takes no traffic.</summary>
internal sealed class TaskFlowReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    public const string Tag = "ready";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        DispatchSnapshot snapshot;
        try
        {
            snapshot = await grains.GetGrain<IDispatcherGrain>(0).Snapshot().WaitAsync(Limit, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The TaskFlow cluster did not answer.", ex is TimeoutException ? null : ex);
        }
        try
        {
            await grains.GetGrain<ITaskQueryGrain>(0).List(new TaskQuery { Limit = 1 }).WaitAsync(Limit, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(TaskFlowProblems.IsUnavailable(ex)
                ? "The task store cannot be reached." : "The task store did not answer a query.", ex is TimeoutException ? null : ex);
        }
        return HealthCheckResult.Healthy($"{snapshot.Running} of {snapshot.MaxConcurrency} slots in use; the task store answers.");
    }
}
