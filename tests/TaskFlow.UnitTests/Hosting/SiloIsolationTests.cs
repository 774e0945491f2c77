using TaskFlow.Hosting;

namespace TaskFlow.UnitTests.Hosting;

public sealed class SiloIsolationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static readonly IsolationCheck Silence = new(Alone: false, PeerAnswered: false, StoreAnswered: false, DeclaredDead: false);

    /// <summary>What every round heard (alone, a peer answered, the store answered, listed dead), for how many
    /// one-second rounds, and whether the silo counts itself cut off after them.</summary>
    public static TheoryData<string, bool, bool, bool, bool, int, bool> Rounds => new()
    {
        { "silence shorter than the limit", false, false, false, false, 3, false },
        { "silence longer than the limit", false, false, false, false, 4, true },
        { "only the store answers (every peer may have died)", false, false, true, false, 30, false },
        { "only a peer answers (the store is down for everyone)", false, true, false, false, 30, false },
        { "no other silo is active (nobody can declare it dead)", true, false, false, false, 30, false },
        { "listed dead in the membership", false, false, false, true, 1, true },
    };

    [Theory]
    [MemberData(nameof(Rounds))]
    public void A_silo_counts_itself_cut_off_only_when_it_hears_nobody_for_longer_than_the_limit(
        string because, bool alone, bool peerAnswered, bool storeAnswered, bool declaredDead, int seconds, bool isolated)
    {
        var check = new IsolationCheck(alone, peerAnswered, storeAnswered, declaredDead);
        var state = SiloIsolation.Start(T0);
        for (var s = 1; s <= seconds; s++) state = state.Observe(T0.AddSeconds(s), check);

        Assert.True(state.Isolated == isolated, because);
    }

    [Fact]
    public void The_limit_is_below_the_time_before_other_silos_may_declare_it_dead()
    {
        // Votes against a silo are suppressed while it was heard from within MaxProbeTimeout × NumMissedProbesLimit.
        var earliestDeclaration = ClusterTimings.FailureDetectionWindow;
        Assert.True(SiloIsolation.Limit + TimeSpan.FromSeconds(2) <= earliestDeclaration,
            $"limit {SiloIsolation.Limit} plus a check round must stay under {earliestDeclaration}");
        // The directory lets a dead silo's grains activate elsewhere only RangeLease after it was last heard from.
        Assert.True(SiloIsolation.Limit + TimeSpan.FromSeconds(2) <= ClusterTimings.RangeLease);
    }

    [Fact]
    public void Contact_ends_the_isolation_and_the_silence_is_counted_again_from_it()
    {
        var state = SiloIsolation.Start(T0);
        for (var s = 1; s <= 5; s++) state = state.Observe(T0.AddSeconds(s), Silence);
        Assert.True(state.Isolated);

        state = state.Observe(T0.AddSeconds(6), Silence with { PeerAnswered = true });
        Assert.False(state.Isolated);
        state = state.Observe(T0.AddSeconds(9), Silence);
        Assert.False(state.Isolated);
        state = state.Observe(T0.AddSeconds(10), Silence);
        Assert.True(state.Isolated);
    }

    [Fact]
    public void A_silo_listed_dead_stays_cut_off_whatever_it_hears_afterwards()
    {
        var state = SiloIsolation.Start(T0).Observe(T0.AddSeconds(1), Silence with { DeclaredDead = true });

        state = state.Observe(T0.AddSeconds(2), new IsolationCheck(Alone: true, PeerAnswered: true, StoreAnswered: true, DeclaredDead: false));

        Assert.True(state.Isolated);
        Assert.True(state.Dead);
    }
}
