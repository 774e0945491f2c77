using System.Collections.Immutable;
using TaskFlow.Grains;

namespace TaskFlow.Storage;

/// <summary>The audit log: one activation, its entries stored as keyed grain state.</summary>
[GrainType("taskflow.audit")]
internal sealed class AuditGrain([PersistentState("audit", TaskFlowStorage.Name)] IPersistentState<AuditState> store) : Grain, IAuditGrain
{
    public async Task Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        store.State.Entries.Add(entry);
        if (store.State.Entries.Count > AuditEntry.Kept) store.State.Entries.RemoveRange(0, store.State.Entries.Count - AuditEntry.Kept);
        await store.WriteStateAsync();
    }

    public Task<ImmutableArray<AuditEntry>> List(int limit) =>
        Task.FromResult(store.State.Entries.AsEnumerable().Reverse().Take(Math.Clamp(limit, 1, AuditEntry.Kept)).ToImmutableArray());
}

/// <summary>The stored audit log, oldest first.</summary>
[GenerateSerializer, Alias("taskflow.AuditState.v1")]
public sealed class AuditState
{
    /// <summary>The entries, oldest first.</summary>
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}
