using System.Collections.Immutable;
using Orleans.Concurrency;

namespace TaskFlow.Grains;

/// <summary>The cluster's silos as <c>GET /tasks/cluster</c> shows them: Orleans' membership (address, status, start)
/// joined with what each silo reports every 2 s (attempts running, stopping).</summary>
[Alias("taskflow.IClusterStatusGrain")]
public interface IClusterStatusGrain : IGrainWithIntegerKey
{
    /// <summary>A silo's latest figures.</summary>
    [Alias("Report"), OneWay]
    Task Report(SiloReport report);

    /// <summary>Every silo that is up, starting or stopping, and those that died or left in the last hour.</summary>
    [Alias("Describe")]
    Task<ClusterStatus> Describe();
}

/// <summary>What one silo says of itself.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SiloReport.v1")]
public sealed record SiloReport
{
    /// <summary>"ip:port" of the silo (advertised address, silo port), as attempts record it.</summary>
    [Id(0)] public required string Host { get; init; }
    /// <summary>Attempts running on it.</summary>
    [Id(1)] public int RunningAttempts { get; init; }
    /// <summary>True while it stops: it lets running attempts finish and starts none.</summary>
    [Id(2)] public bool Draining { get; init; }
    /// <summary>When it reported.</summary>
    [Id(3)] public DateTimeOffset At { get; init; }
}

/// <summary>The silos and the cluster-wide slots.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.ClusterStatus.v1")]
public sealed record ClusterStatus
{
    /// <summary>Live silos first, then by address.</summary>
    [Id(0)] public ImmutableArray<SiloEntry> Silos { get; init; } = [];
    /// <summary>Slots held by running attempts, cluster-wide (the dispatcher's count).</summary>
    [Id(1)] public int SlotsInUse { get; init; }
    /// <summary>The cluster-wide limit.</summary>
    [Id(2)] public int MaxConcurrency { get; init; }
}

/// <summary>One silo.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.SiloEntry.v1")]
public sealed record SiloEntry
{
    /// <summary>"ip:port".</summary>
    [Id(0)] public required string Host { get; init; }
    /// <summary>Orleans' silo name (the pod or process name).</summary>
    [Id(1)] public string? Name { get; init; }
    /// <summary>Its membership status.</summary>
    [Id(2)] public required SiloState Status { get; init; }
    /// <summary>When it started.</summary>
    [Id(3)] public DateTimeOffset StartedAt { get; init; }
    /// <summary>When it last showed it was alive: its last report, or its last heartbeat in the membership table.</summary>
    [Id(4)] public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>"ip:port" of its client gateway, if it has one.</summary>
    [Id(5)] public string? Gateway { get; init; }
    /// <summary>Attempts running on it (each holds one of the cluster's slots); null while it has not reported.</summary>
    [Id(6)] public int? RunningAttempts { get; init; }
    /// <summary>True while it stops and lets its running attempts finish.</summary>
    [Id(7)] public bool Draining { get; init; }
}

/// <summary>A silo's place in the cluster's membership.</summary>
[GenerateSerializer, Alias("taskflow.SiloState")]
public enum SiloState
{
    /// <summary>Starting, not yet taking calls.</summary>
    Joining,
    /// <summary>Up.</summary>
    Active,
    /// <summary>Stopping gracefully.</summary>
    ShuttingDown,
    /// <summary>Stopping.</summary>
    Stopping,
    /// <summary>Gone: stopped, or declared dead by the others.</summary>
    Dead,
}
