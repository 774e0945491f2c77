using Orleans.Configuration;

namespace TaskFlow.Hosting;

/// <summary>How quickly a PostgreSQL cluster notices a dead or cut-off silo. Orleans' defaults (a 5 s probe, three
/// misses) take 15–25 s to declare a killed silo dead, and until then calls to grains placed on it fail or wait;
/// TaskFlow declares a killed silo dead within 10 s: probes every 2 s, three misses, two votes, and the membership table
/// re-read every 5 s so a silo that missed the gossip still learns of the death quickly.</summary>
/// <remarks>A silo cut off by the network (its connections stay open, packets vanish) needs two more settings. Orleans
/// suppresses votes against a silo it heard from within <c>MaxProbeTimeout × NumMissedProbesLimit</c>: by default four
/// times the probe timeout, which made that window 24 s; the probe timeout is capped at 2 s, so it is 6 s. And after two
/// missed probes Orleans asks another silo to probe indirectly; measured under a partition, those requests timed out,
/// which counts as neither a miss nor an answer, so the third miss, and the vote, never came: probes stay direct.
/// <para>The distributed grain directory keeps a dead silo's grains from activating elsewhere until
/// <see cref="RangeLease"/> after the silo was last heard from (the declaration minus that 6 s window), in case it is
/// only cut off and still running them. Its default of 30 s held new tasks whose ids fall in the dead silo's directory
/// range for 24 s after the death was declared; at 7 s they wait about 1 s. A silo cut off from the cluster stops its
/// attempts before that (<see cref="SiloIsolation.Limit"/> plus a check round: at most ~5.5 s).</para>
/// </remarks>
internal static class ClusterTimings
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public const int MissedProbesLimit = 3;

    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan RangeLease = TimeSpan.FromSeconds(7);

    /// <summary>How long after its last sign of life a silo may be declared dead at the earliest (Orleans suppresses
    /// votes against a silo heard from within this window).</summary>
    public static TimeSpan FailureDetectionWindow => ProbeTimeout * MissedProbesLimit;

    public static void Apply(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.MaxProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = MissedProbesLimit;
        options.EnableIndirectProbes = false;
        options.TableRefreshTimeout = TableRefreshTimeout;
    }

    public static void Apply(GrainDirectoryOptions options) => options.RangeLeaseDuration = RangeLease;
}
