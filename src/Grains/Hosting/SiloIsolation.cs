namespace TaskFlow.Hosting;

/// <summary>What one round of a silo's isolation check heard.</summary>
/// <param name="Alone">No other silo is active in this silo's view of the membership: nobody can declare it dead.</param>
/// <param name="PeerAnswered">Another active silo answered a direct call.</param>
/// <param name="StoreAnswered">The task store answered a read.</param>
/// <param name="DeclaredDead">The membership lists this silo as dead.</param>
internal readonly record struct IsolationCheck(bool Alone, bool PeerAnswered, bool StoreAnswered, bool DeclaredDead);

/// <summary>Whether a silo must consider itself cut off from the cluster. Pure: no clock, no I/O; <see cref="SiloFence"/>
/// runs the checks and feeds them in.</summary>
/// <remarks>The other silos declare a silo dead only through the membership table and only after it missed their
/// probes for a while (<see cref="ClusterTimings"/>: at least 6 s after they last heard from it); then its tasks run
/// elsewhere. A silo that neither reaches another silo nor the store for <see cref="Limit"/> may be on the wrong side
/// of a partition, so it stops its attempts before that can happen. Either contact alone is enough to stay: with the
/// store down the others cannot declare anyone dead, and with every peer silent it may be they that died. A silo the
/// membership lists as dead stays isolated.</remarks>
internal sealed record SiloIsolation(DateTimeOffset LastContact, bool Isolated, bool Dead)
{
    /// <summary>Silence after which the silo counts itself cut off: well under the 6 s before others may declare it dead.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    /// <summary>A silo that has just started is in contact.</summary>
    public static SiloIsolation Start(DateTimeOffset now) => new(now, Isolated: false, Dead: false);

    /// <summary>The state after a round of checks that ended at <paramref name="now"/>.</summary>
    public SiloIsolation Observe(DateTimeOffset now, IsolationCheck check)
    {
        if (Dead || check.DeclaredDead) return this with { Isolated = true, Dead = true };
        var contact = check.Alone || check.PeerAnswered || check.StoreAnswered ? now : LastContact;
        return new SiloIsolation(contact, Isolated: now - contact > Limit, Dead: false);
    }
}
