namespace TaskFlow.Dispatch;

/// <summary>The clock of slot leases. A running task renews every <see cref="RenewPeriod"/>; a slot not renewed for
/// <see cref="Lease"/> returns to the pool (checked every <see cref="Tick"/>), so a slot held by a task on a dead silo
/// comes back within Lease + Tick = 16 s of the last renewal.</summary>
public static class DispatchTimings
{
    /// <summary>How often a running task renews its slot.</summary>
    public static readonly TimeSpan RenewPeriod = TimeSpan.FromSeconds(5);

    /// <summary>How long a slot stays held without a renewal.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    /// <summary>How often the dispatcher expires leases and re-checks rate limits.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>A silo's dispatch agent holds a batch back for more messages (a few turns of the thread pool, see
    /// <see cref="SlotOutbox"/>) only while its previous batch is younger than this; after a quiet spell the first
    /// message goes at once.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>How long a rebuilt dispatcher waits for running tasks to report before granting new slots.</summary>
    public static readonly TimeSpan RebuildWait = TimeSpan.FromSeconds(10);
}
