using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Hosting;

namespace TaskFlow;

/// <summary>How a Client-mode node finds the cluster: the gateways listed in <c>TaskFlow:Cluster:Gateways</c>; else the
/// membership table of the storage provider, when its package is added (PostgreSQL); else the local gateway port.</summary>
public static class ClientClusteringExtensions
{
    /// <summary>Configures how <paramref name="client"/> finds the cluster's gateways.</summary>
    /// <exception cref="InvalidOperationException">Membership lives in a database whose package was not added, and no
    /// gateway is listed.</exception>
    public static IClientBuilder UseTaskFlowClustering(this IClientBuilder client, TaskFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var cluster = options.Cluster;
        if (cluster.Gateways.Count > 0)
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            return client.UseStaticClustering([.. cluster.Gateways.Select(Resolve)]);
        }
        if (options.Storage.Provider == StorageProvider.Memory || options.Storage.Provider == StorageProvider.Sqlite)
            return client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);

        var membership = client.Services.Select(d => d.ImplementationInstance).OfType<ITaskFlowClientClustering>()
            .FirstOrDefault(c => c.Provider == options.Storage.Provider)
            ?? throw new InvalidOperationException(
                $"TaskFlow:Storage:Provider is '{options.Storage.Provider}', whose silos are listed in the database: list their gateways in " +
                "TaskFlow:Cluster:Gateways (host:port), or reference TaskFlow.Storage.PostgreSql and call tf.AddPostgreSqlStorage() in AddTaskFlow.");
        membership.Configure(client, options);
        return client;
    }

    /// <summary>An IP address as it is; a host name resolved once, IPv4 first.</summary>
    private static IPEndPoint Resolve(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        var host = gateway[..colon].Trim('[', ']');
        var port = int.Parse(gateway[(colon + 1)..], CultureInfo.InvariantCulture);
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        var resolved = Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new InvalidOperationException($"TaskFlow:Cluster:Gateways: '{host}' resolves to no address.");
        return new IPEndPoint(resolved, port);
    }
}
