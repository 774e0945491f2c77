using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.Security;

/// <summary>A dashboard session, persisted in TaskFlow's grain storage so it survives restarts and is the same on every
/// node; removed state is cleared from the store.</summary>
[GrainType("taskflow.session")]
internal sealed class SessionGrain([PersistentState("session", TaskFlowStorage.Name)] IPersistentState<SessionState> store, TimeProvider time)
    : Grain, ISessionGrain
{
    public async Task Store(byte[] ticket, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        store.State.Ticket = ticket;
        store.State.ExpiresAt = expiresAt;
        await store.WriteStateAsync();
    }

    public async Task<byte[]?> Retrieve()
    {
        if (store.State.Ticket is null) return null;
        if (store.State.ExpiresAt > time.GetUtcNow()) return store.State.Ticket;
        await Remove();
        return null;
    }

    public async Task Remove()
    {
        if (!store.RecordExists && store.State.Ticket is null) return;
        await store.ClearStateAsync();
        store.State = new SessionState();
        DeactivateOnIdle();
    }
}

/// <summary>The stored session: the serialized authentication ticket and when it expires.</summary>
[GenerateSerializer, Alias("taskflow.SessionState.v1")]
public sealed class SessionState
{
    /// <summary>The ticket (ASP.NET Core's TicketSerializer format), null when there is no session.</summary>
    [Id(0)] public byte[]? Ticket { get; set; }

    /// <summary>When the session ends unless renewed.</summary>
    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
}
