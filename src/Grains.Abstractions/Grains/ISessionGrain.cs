namespace TaskFlow.Grains;

/// <summary>One signed-in dashboard session, keyed by the random id its cookie carries: the server-side half of the
/// session, so logging out (or any revocation) ends it on every API node and a copied cookie alone is worth nothing.
/// Holds the serialized authentication ticket until it expires or is removed.</summary>
[Alias("taskflow.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Stores (or renews) the session's ticket until <paramref name="expiresAt"/>.</summary>
    [Alias("Store")]
    Task Store(byte[] ticket, DateTimeOffset expiresAt);

    /// <summary>The ticket, or null when the session never existed, ended or expired.</summary>
    [Alias("Retrieve")]
    Task<byte[]?> Retrieve();

    /// <summary>Ends the session.</summary>
    [Alias("Remove")]
    Task Remove();
}
