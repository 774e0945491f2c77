using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Security;

/// <summary>With no users configured, the admin API answers only this machine: safe by default. "This machine" means
/// all three of: the peer is a loopback address; the request names this machine in its <c>Host</c> (localhost,
/// 127.0.0.1 or [::1], any port), so a page on another site cannot reach it through DNS rebinding; and it carries no
/// forwarding header (<c>X-Forwarded-For</c>, <c>Forwarded</c>, <c>X-Real-IP</c>), since a loopback peer that sends one
/// is a proxy relaying someone else.</summary>
internal sealed class LoopbackOnlyFilter : IEndpointFilter
{
    /// <summary>Headers by which a proxy says whom it relays.</summary>
    public static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded", "X-Real-IP"];

    private const string HowToOpen =
        "Configure users (TaskFlow:Dashboard:Users, see docs/SECURITY.md) to reach it from elsewhere or through a proxy.";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        return RefusalOf(http.Request, http.Connection.RemoteIpAddress) is { } reason
            ? ValueTask.FromResult<object?>(Refuse(http, reason))
            : next(context);
    }

    /// <summary>Why a request is not from this machine, or null when it is.</summary>
    internal static string? RefusalOf(HttpRequest request, IPAddress? remote)
    {
        // No remote address means an in-process server (tests), never a network peer.
        if (remote is not null && !IsLoopback(remote))
            return "The TaskFlow admin API answers only requests from this machine until users are configured. " + HowToOpen;
        if (!IsLoopbackHost(request.Host))
            return $"The TaskFlow admin API, with no users configured, answers only requests addressed to localhost, 127.0.0.1 or [::1] " +
                   $"(this one named another host, which is how DNS rebinding reaches a local service). {HowToOpen}";
        foreach (var header in ForwardingHeaders)
        {
            if (request.Headers.ContainsKey(header))
                return $"The TaskFlow admin API, with no users configured, refuses requests relayed by a proxy (this one carries {header}): " +
                       $"behind a proxy every request would look local. {HowToOpen}";
        }
        return null;
    }

    internal static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>True for <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c>, with any port.</summary>
    internal static bool IsLoopbackHost(HostString host) =>
        host.HasValue && host.Host.TrimEnd('.') is var name &&
        (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase) || name is "127.0.0.1" or "[::1]" or "::1");

    private static object Refuse(HttpContext http, string reason)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<LoopbackOnlyFilter>();
        Log.LoopbackRefused(logger, http.Connection.RemoteIpAddress?.ToString() ?? "local", Log.Bounded(http.Request.Host.Value), http.Request.Path.Value ?? "");
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: reason);
    }
}
