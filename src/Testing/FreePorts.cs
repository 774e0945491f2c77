using System.Net;
using System.Net.Sockets;

namespace TaskFlow.Testing;

/// <summary>TCP ports for hosts a test starts (silo, gateway, HTTP).</summary>
public static class FreePorts
{
    // The system may offer a port again as soon as the probe closes it; two ports asked for before either is bound
    // could then be the same, so a port is handed out once per process.
    private static readonly HashSet<int> Given = [];

    /// <summary>A loopback TCP port nothing listens on now, not handed out before in this process.</summary>
    public static int Next()
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
