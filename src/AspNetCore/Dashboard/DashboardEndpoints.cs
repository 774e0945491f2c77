using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TaskFlow.Security;

namespace TaskFlow.Dashboard;

/// <summary><c>GET {prefix}/dashboard</c> and its assets. Mapped inside <c>MapTaskFlow</c>'s group so the page has
/// exactly the access rules of the admin API; left out of OpenAPI because it is a page, not an API.</summary>
internal static class DashboardEndpoints
{
    private const string PagePath = "/dashboard";

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet(PagePath, Page).ExcludeFromDescription();
        // Assets hold no data; the login page needs the stylesheet before anyone is signed in.
        group.MapGet(PagePath + "/assets/{file}", Asset).AllowAnonymous().ExcludeFromDescription();
    }

    internal static ContentHttpResult Page(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var (user, role, loginEnabled) = Viewer(http);
        var html = DashboardAssets.Fill(DashboardAssets.PageTemplate, new Dictionary<string, string?>
        {
            ["base"] = BaseOf(http.Request),
            ["antiforgery"] = tokens.RequestToken,
            ["user"] = user,
            ["role"] = role,
            ["login"] = loginEnabled ? "true" : "false",
            ["traceUrl"] = http.RequestServices.GetRequiredService<IOptions<TaskFlowOptions>>().Value.Telemetry.TraceUrl,
            ["version"] = DashboardAssets.Version,
        });

        // After the antiforgery call, which writes its own caching and framing headers: the page carries a per-user token.
        DashboardHeaders.Apply(http.Response);
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    internal static IResult Asset(string file, HttpContext http)
    {
        if (!DashboardAssets.TryGet(file, out var asset)) return TypedResults.NotFound();
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // Revalidated on every use (cheap with the ETag), so a deployed change is picked up without stale scripts.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags) &&
            tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(new EntityTagHeaderValue(asset.ETag), useStrongComparison: false)))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>Who is looking at the page and what they may do: a configured user and their role (with logout); under
    /// the app's own policy whoever it admitted (the server still decides each change); with neither, a local visitor
    /// (the group admits loopback requests only).</summary>
    internal static (string User, string Role, bool LoginEnabled) Viewer(HttpContext http)
    {
        var name = http.User.Identity?.Name ?? "";
        return http.RequestServices.GetRequiredService<IOptions<TaskFlowDashboardOptions>>().Value.Mode switch
        {
            TaskFlowAccessMode.Users => (name, http.User.IsInRole(TaskFlowRoles.Admin) ? TaskFlowRoles.Admin : TaskFlowRoles.Viewer, true),
            TaskFlowAccessMode.Policy => (name, "policy", false),
            _ => (name, "local", false),
        };
    }

    /// <summary>The group's prefix as this request sees it (behind a PathBase too): the path of the page or of one of
    /// its sub-routes (login, logout, assets) less <c>/dashboard</c> and what follows it.</summary>
    internal static string BaseOf(HttpRequest request)
    {
        var path = (request.Path.Value ?? "").TrimEnd('/');
        var prefix = path.EndsWith(PagePath, StringComparison.OrdinalIgnoreCase) ? path[..^PagePath.Length]
            : path.LastIndexOf(PagePath + "/", StringComparison.OrdinalIgnoreCase) is var at and >= 0 ? path[..at]
            : path;
        return request.PathBase.Value + prefix;
    }

    /// <summary>The page's own path as this request sees it.</summary>
    internal static string PageOf(HttpRequest request) => BaseOf(request) + PagePath;
}
