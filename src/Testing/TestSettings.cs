using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskFlow.Testing;

/// <summary>The settings that make a TaskFlow host a private test host: the in-memory store under a service id of its
/// own (so hosts in one test process share no tasks), silo and gateway ports nothing listens on, no demo tasks, a short
/// shutdown grace.</summary>
internal static class TestSettings
{
    // The system may offer a port again as soon as the probe closes it; two ports asked for before either is bound
    // could then be the same, so a port is handed out once per process.
    private static readonly HashSet<int> Given = [];

    public static Dictionary<string, string?> Create() => new()
    {
        ["TaskFlow:Cluster:Mode"] = nameof(ClusterMode.Embedded),
        ["TaskFlow:Cluster:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        ["TaskFlow:Cluster:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        ["TaskFlow:Cluster:ServiceId"] = "taskflow-test-" + Guid.NewGuid().ToString("N"),
        ["TaskFlow:Storage:Provider"] = nameof(StorageProvider.Memory),
        ["TaskFlow:Demo:Enabled"] = "false",
        // A test ends by stopping its host: an attempt still running is interrupted after a second, not thirty.
        ["TaskFlow:ShutdownGrace"] = "00:00:01",
    };

    /// <summary>A loopback TCP port nothing listens on now, not handed out before in this process.</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }
}
