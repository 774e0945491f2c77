using System.Net;
using Microsoft.AspNetCore.Http;

namespace TaskFlow.Security;

/// <summary>With no users configured, the admin API answers only requests from this machine: safe by default.</summary>
internal sealed class LoopbackOnlyFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        // No remote address means an in-process server (tests), never a network peer.
        if (remote is null || IsLoopback(remote)) return next(context);
        return ValueTask.FromResult<object?>(TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: "The TaskFlow admin API answers only requests from this machine until users are configured (TaskFlow:Dashboard:Users)."));
    }

    internal static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
