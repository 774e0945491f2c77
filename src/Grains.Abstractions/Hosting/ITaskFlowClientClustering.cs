namespace TaskFlow.Hosting;

/// <summary>How a cluster client finds the silos when membership lives in the storage provider's database (PostgreSQL);
/// the provider's package registers it. Without one, a client reads <c>TaskFlow:Cluster:Gateways</c> or uses the local
/// gateway port.</summary>
public interface ITaskFlowClientClustering
{
    /// <summary>The provider whose membership table this reads.</summary>
    StorageProvider Provider { get; }

    /// <summary>Points <paramref name="client"/> at the membership table.</summary>
    void Configure(IClientBuilder client, TaskFlowOptions options);
}
