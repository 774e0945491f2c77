namespace TaskFlow.Hosting;

/// <summary>Whether this silo can take work: it is <c>Active</c> in the cluster's membership and not stopping. What a
/// container orchestrator's readiness probe asks; liveness is the process answering at all.</summary>
public sealed class SiloHealth
{
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _silo;
    private readonly SiloDrain _drain;

    internal SiloHealth(IClusterMembershipService membership, ILocalSiloDetails silo, SiloDrain drain)
    {
        _membership = membership;
        _silo = silo;
        _drain = drain;
    }

    /// <summary>This silo as "ip:port" (its advertised address and silo port), as attempts record it.</summary>
    public string Host => _silo.SiloAddress.Endpoint.ToString();

    /// <summary>True when some other silo is active: work this silo hands off has somewhere to go.</summary>
    public bool AnotherSiloActive() =>
        _membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(_silo.SiloAddress));

    /// <summary>Null when ready; otherwise why not.</summary>
    public string? NotReadyBecause()
    {
        if (_drain.IsDraining) return "the silo is stopping";
        var status = _membership.CurrentSnapshot.GetSiloStatus(_silo.SiloAddress);
        return status == SiloStatus.Active ? null : $"the silo is {status} in the cluster's membership";
    }
}
