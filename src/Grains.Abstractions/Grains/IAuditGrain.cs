using System.Collections.Immutable;
using Orleans.Concurrency;

namespace TaskFlow.Grains;

/// <summary>The persisted log of admin actions (cancel, retry, replay, delete-history, pause, resume, trigger).</summary>
[Alias("taskflow.IAuditGrain")]
public interface IAuditGrain : IGrainWithIntegerKey
{
    /// <summary>Appends an entry; the newest <see cref="AuditEntry.Kept"/> are kept.</summary>
    [Alias("Record")]
    Task Record(AuditEntry entry);

    /// <summary>The newest entries first.</summary>
    [Alias("List"), AlwaysInterleave]
    Task<ImmutableArray<AuditEntry>> List(int limit);
}

/// <summary>One admin action.</summary>
[GenerateSerializer, Immutable, Alias("taskflow.AuditEntry.v1")]
public sealed record AuditEntry(
    [property: Id(0)] string Action,
    [property: Id(1)] ImmutableArray<string> TaskIds,
    [property: Id(2)] string Actor,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? Detail)
{
    /// <summary>How many entries the log keeps.</summary>
    public const int Kept = 1_000;
}
