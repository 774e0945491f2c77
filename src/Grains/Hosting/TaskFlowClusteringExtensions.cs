using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
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

    /// <summary>Configures membership (and, on PostgreSQL, reminders). On PostgreSQL the silo listens on every
    /// interface and advertises <c>TaskFlow:Cluster:AdvertisedAddress</c> (an IP address or a DNS name), or else the
    /// host's first non-loopback address; with <c>TaskFlow:Cluster:Kubernetes</c> and no address set, the pod's IP is
    /// left to Orleans' Kubernetes hosting. Localhost clustering (SQLite, Memory) stays on the loopback.</summary>
    public static ISiloBuilder UseTaskFlowClustering(this ISiloBuilder silo, TaskFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = options.Cluster;
        // The distributed grain directory hands a leaving or dead silo's registrations over to the others instead of
        // deactivating their activations: with the default directory, stopping one silo deactivated task grains on
        // the others whose registration it held, interrupting attempts running there. (Orleans' test clusters use
        // this directory by default too.)
#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10.4; TaskFlow's cluster tests run on it.
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
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
            .UseTaskFlowEndpoints(cluster)
            .Configure<ClusterMembershipOptions>(ClusterTimings.Apply)
            .Configure<GrainDirectoryOptions>(ClusterTimings.Apply)
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

    private static ISiloBuilder UseTaskFlowEndpoints(this ISiloBuilder silo, TaskFlowClusterOptions cluster)
    {
        var advertised = cluster.AdvertisedAddress?.Trim();
        if (string.IsNullOrEmpty(advertised) && cluster.Kubernetes)
        {
            // Orleans' Kubernetes hosting advertises the pod's IP and listens on every interface (it post-configures
            // whatever is unset), so only the ports are TaskFlow's.
            return silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = cluster.SiloPort;
                o.GatewayPort = cluster.GatewayPort;
            });
        }
        return silo.ConfigureEndpoints(AdvertisedAddress(advertised), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
    }

    /// <summary>The configured IP address, a DNS name resolved once (IPv4 first), or the first non-loopback IPv4
    /// address of an interface that is up.</summary>
    internal static IPAddress AdvertisedAddress(string? configured)
    {
        if (string.IsNullOrEmpty(configured))
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus == OperationalStatus.Up)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?? throw new InvalidOperationException(
                    "This host has no non-loopback IPv4 address for other silos to reach it at: set TaskFlow:Cluster:AdvertisedAddress.");
        }
        if (IPAddress.TryParse(configured, out var address)) return address;
        IPAddress[] resolved;
        try
        {
            resolved = Dns.GetHostAddresses(configured);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"TaskFlow:Cluster:AdvertisedAddress '{configured}' does not resolve: {ex.Message}", ex);
        }
        return resolved.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new InvalidOperationException($"TaskFlow:Cluster:AdvertisedAddress '{configured}' resolves to no address.");
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
