using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Security;

/// <summary>Guards every state-changing request (anything but GET/HEAD) against cross-site forgery, whatever the
/// access mode: a request a browser marks as cross-site (Sec-Fetch-Site, or an Origin that is not this host) is
/// refused; a request signed in by the dashboard's cookie, or sent by the dashboard's scripts, must carry the page's
/// anti-forgery token (header <c>X-TaskFlow-Antiforgery</c>, or the form field for the login/logout forms).</summary>
internal sealed class StateChangeGuard : IEndpointFilter
{
    public const string TokenHeader = "X-TaskFlow-Antiforgery";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
            return await next(context);

        if (CrossSiteReason(http.Request) is { } crossSite)
            return Refuse(http, "Cross-site request refused", crossSite);
        var signedInByCookie = http.User.Identity is { IsAuthenticated: true, AuthenticationType: TaskFlowAccess.CookieScheme };
        if ((signedInByCookie || AccessProblems.IsFromDashboard(http.Request)) && !await HasValidTokenAsync(http))
            return Refuse(http, "Anti-forgery token required", "the anti-forgery token is missing or invalid; reload the dashboard and try again");
        return await next(context);
    }

    /// <summary>Validates the request's anti-forgery token for the user it is signed in as.</summary>
    public static async Task<bool> HasValidTokenAsync(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        // The token travels in TaskFlow's own header; the app's antiforgery options keep their own header name.
        var headerName = http.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName;
        if (headerName is not null && headerName != TokenHeader && http.Request.Headers.TryGetValue(TokenHeader, out var token))
            http.Request.Headers[headerName] = token;
        return await antiforgery.IsRequestValidAsync(http);
    }

    /// <summary>Why a browser's request comes from another site, or null when it does not.</summary>
    public static string? CrossSiteReason(HttpRequest request)
    {
        // Sec-Fetch-Site is set by the browser alone (scripts cannot forge it); where it is present it decides.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site") return $"the browser marked it '{site}'";
        if (site is "same-origin" or "none") return null;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return null;
        if (origin == "null") return "its Origin is opaque";
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return "its Origin is not a URL";
        var host = request.Host;
        var sameHost = string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase) &&
            (host.Port ?? DefaultPort(request.Scheme)) == uri.Port;
        return sameHost ? null : $"its Origin '{origin}' is not this host";
    }

    private static int DefaultPort(string scheme) => string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;

    private static object Refuse(HttpContext http, string title, string reason)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<StateChangeGuard>();
        Log.StateChangeRefused(logger, http.Connection.RemoteIpAddress?.ToString() ?? "local", reason);
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: title,
            detail: $"TaskFlow refused this change because {reason}.");
    }
}
