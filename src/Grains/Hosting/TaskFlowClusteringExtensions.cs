using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>How silos and clients find each other, chosen by the storage provider: with <c>Postgres</c> the cluster
/// is real (ADO.NET membership and reminders on the task store's database, invariant <c>Npgsql</c>); otherwise the
/// single-machine localhost clustering.</summary>
public static class TaskFlowClusteringExtensions
{
    /// <summary>The ADO.NET invariant name of Npgsql.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Configures membership (and, on PostgreSQL, reminders) for a silo that advertises 127.0.0.1 on the
    /// configured silo and gateway ports.</summary>
    public static ISiloBuilder UseTaskFlowClustering(this ISiloBuilder silo, TaskFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = options.Cluster;
        if (options.Storage.Provider != StorageProvider.Postgres)
            return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);

        var connectionString = options.Storage.ConnectionString;
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new PostgresSchemaLifecycle(connectionString, sp.GetRequiredService<ILogger<PostgresSchemaLifecycle>>()));
        return silo
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            })
            .ConfigureEndpoints(IPAddress.Loopback, cluster.SiloPort, cluster.GatewayPort)
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = connectionString;
            })
            .UseAdoNetReminderService(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = connectionString;
            });
    }

    /// <summary>Configures how a client finds the cluster's gateways: from the membership table on PostgreSQL,
    /// otherwise the local gateway port.</summary>
    public static IClientBuilder UseTaskFlowClustering(this IClientBuilder client, TaskFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = options.Cluster;
        if (options.Storage.Provider != StorageProvider.Postgres)
            return client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);

        return client
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            })
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = options.Storage.ConnectionString;
            });
    }
}
