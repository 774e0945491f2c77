using System.Net;
using System.Net.Sockets;

namespace TaskFlow.IntegrationTests.Infrastructure;

public static class FreePort
{
    // The system may offer a port again as soon as the probe closes it; a host given two ports (HTTP and silo) before it
    // binds either could then get the same one twice. So a port is handed out once per test run.
    private static readonly HashSet<int> Given = [];

    /// <summary>A TCP port nothing listens on right now, and not handed out before in this run.</summary>
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
