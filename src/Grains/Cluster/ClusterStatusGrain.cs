using System.Collections.Immutable;
using Orleans.Concurrency;
using TaskFlow.Grains;

namespace TaskFlow.Cluster;

/// <summary>Holds each silo's latest report in memory (silos report every 2 s, so a moved activation is whole again
/// within seconds) and joins it with Orleans' membership when asked.</summary>
[GrainType("taskflow.cluster-status"), Reentrant]
internal sealed class ClusterStatusGrain(TimeProvider time) : Grain, IClusterStatusGrain
{
    /// <summary>How long silos that died or left stay listed.</summary>
    public static readonly TimeSpan GoneListedFor = TimeSpan.FromHours(1);

    private readonly Dictionary<string, SiloReport> _reports = new(StringComparer.Ordinal);

    public Task Report(SiloReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports[report.Host] = report;
        return Task.CompletedTask;
    }

    public async Task<ClusterStatus> Describe()
    {
        MembershipEntry[] members;
        try
        {
            members = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        }
        catch (Exception ex) when (ex is not TaskStoreUnavailableException)
        {
            // The membership table lives in the store: a driver exception must not cross to the caller as it is.
            throw new TaskStoreUnavailableException("The cluster's membership table cannot be read: " + ex.Message, ex);
        }
        var dispatch = await GrainFactory.GetGrain<IDispatcherGrain>(0).Snapshot();
        var now = time.GetUtcNow();
        var silos = members
            .Select(m => Entry(m, _reports.GetValueOrDefault(m.SiloAddress.Endpoint.ToString())))
            .Where(s => s.Status != SiloState.Dead || (s.LastSeenAt ?? s.StartedAt) > now - GoneListedFor)
            .OrderBy(s => s.Status == SiloState.Dead)
            .ThenBy(s => s.Host, StringComparer.Ordinal)
            .ToImmutableArray();
        // Reports of silos no longer in the membership table are of no more use.
        foreach (var gone in _reports.Keys.Except(silos.Select(s => s.Host)).ToList()) _reports.Remove(gone);
        return new ClusterStatus { Silos = silos, SlotsInUse = dispatch.Running, MaxConcurrency = dispatch.MaxConcurrency };
    }

    private static SiloEntry Entry(MembershipEntry member, SiloReport? report)
    {
        var status = member.Status switch
        {
            SiloStatus.Active => SiloState.Active,
            SiloStatus.ShuttingDown => SiloState.ShuttingDown,
            SiloStatus.Stopping => SiloState.Stopping,
            SiloStatus.Dead => SiloState.Dead,
            _ => SiloState.Joining,
        };
        var alive = member.IAmAliveTime == default ? (DateTimeOffset?)null : new DateTimeOffset(DateTime.SpecifyKind(member.IAmAliveTime, DateTimeKind.Utc));
        var lastSeen = report is null ? alive : alive is { } a && a > report.At ? a : report.At;
        var live = status != SiloState.Dead;
        return new SiloEntry
        {
            Host = member.SiloAddress.Endpoint.ToString(),
            Name = member.SiloName,
            Status = status,
            StartedAt = new DateTimeOffset(DateTime.SpecifyKind(member.StartTime, DateTimeKind.Utc)),
            LastSeenAt = lastSeen,
            Gateway = member.ProxyPort > 0 ? $"{member.SiloAddress.Endpoint.Address}:{member.ProxyPort}" : null,
            RunningAttempts = live ? report?.RunningAttempts : 0,
            Draining = live && report?.Draining == true,
        };
    }
}
