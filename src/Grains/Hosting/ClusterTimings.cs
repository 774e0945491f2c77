using Orleans.Configuration;

namespace TaskFlow.Hosting;

/// <summary>How quickly a PostgreSQL cluster notices a dead silo. Orleans' defaults (a 5 s probe, three misses) take
/// 15–25 s to declare a killed silo dead, and until then calls to grains placed on it fail or wait; TaskFlow declares it
/// dead within 10 s: probes every 2 s, three misses, two votes, and the membership table re-read every 5 s so a
/// silo that missed the gossip still learns of the death quickly.</summary>
internal static class ClusterTimings
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public const int MissedProbesLimit = 3;

    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(5);

    public static void Apply(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = MissedProbesLimit;
        options.TableRefreshTimeout = TableRefreshTimeout;
    }
}
