using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Security;

/// <summary>The address a login comes from, as the login brake keys it: the connection's remote address, which
/// ASP.NET Core's ForwardedHeaders middleware has already replaced by the real client's when the app configured it
/// (<c>app.UseForwardedHeaders()</c> with its proxies known). Forwarding headers are never read here: anyone can send
/// them, and a brake keyed on them could be dodged by changing them.</summary>
internal static class ClientAddress
{
    private static int _warned;

    public static IPAddress? Of(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        // A loopback peer that still carries X-Forwarded-For is a proxy on this machine the app did not declare: every
        // client then looks like the proxy, and one client's failed logins hold everyone's. Say so, once.
        if (remote is not null && LoopbackOnlyFilter.IsLoopback(remote) &&
            LoopbackOnlyFilter.ForwardingHeaders.Any(http.Request.Headers.ContainsKey) &&
            Interlocked.Exchange(ref _warned, 1) == 0)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientAddress));
            Log.UndeclaredProxy(logger);
        }
        return remote;
    }
}
