using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orleans.Configuration;

namespace TaskFlow.Hosting;

/// <summary>How silos find each other, chosen by the storage provider: where membership lives in the database
/// (PostgreSQL, from TaskFlow.Storage.PostgreSql) the cluster is real; otherwise the single-machine localhost
/// clustering.</summary>
public static class TaskFlowClusteringExtensions
{
    /// <summary>Configures membership (and on a database, what goes with it). A real cluster's silo listens on every
    /// interface and advertises <c>TaskFlow:Cluster:AdvertisedAddress</c> (an IP address or a DNS name), or else the
    /// host's first non-loopback address; with <c>TaskFlow:Cluster:Kubernetes</c> and no address set, the pod's IP is
    /// left to Orleans' Kubernetes hosting. Localhost clustering (SQLite, Memory) stays on the loopback.</summary>
    /// <exception cref="InvalidOperationException">The provider's storage package was not added to the silo's services.</exception>
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
        if (TaskFlowStorageProviders.Find(silo.Services, options).UseClustering(silo, options)) return silo;
        return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
    }

    /// <summary>The endpoints of a silo in a real cluster: every interface, the advertised address, the configured
    /// ports; and the cluster's ids and failure-detection timings.</summary>
    internal static ISiloBuilder UseTaskFlowNetwork(this ISiloBuilder silo, TaskFlowClusterOptions cluster) =>
        silo
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            })
            .UseTaskFlowEndpoints(cluster)
            .Configure<ClusterMembershipOptions>(ClusterTimings.Apply)
            .Configure<GrainDirectoryOptions>(ClusterTimings.Apply);

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
}
