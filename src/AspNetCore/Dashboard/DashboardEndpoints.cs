using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace TaskFlow.Dashboard;

/// <summary><c>GET {prefix}/dashboard</c> and its assets. Mapped inside <c>MapTaskFlow</c>'s group so the page has
/// exactly the access rules of the admin API; left out of OpenAPI because it is a page, not an API.</summary>
internal static class DashboardEndpoints
{
    private const string PagePath = "/dashboard";

    // No inline script or style anywhere: the page only runs what it fetched from its own origin.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet(PagePath, Page).ExcludeFromDescription();
        group.MapGet(PagePath + "/assets/{file}", Asset).ExcludeFromDescription();
    }

    internal static ContentHttpResult Page(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var (user, role, loginEnabled) = Viewer(http);
        var html = DashboardAssets.PageTemplate
            .Replace("{{base}}", Encode(BaseOf(http.Request)), StringComparison.Ordinal)
            .Replace("{{antiforgery}}", Encode(tokens.RequestToken ?? ""), StringComparison.Ordinal)
            .Replace("{{user}}", Encode(user), StringComparison.Ordinal)
            .Replace("{{role}}", Encode(role), StringComparison.Ordinal)
            .Replace("{{login}}", loginEnabled ? "true" : "false", StringComparison.Ordinal)
            .Replace("{{version}}", DashboardAssets.Version, StringComparison.Ordinal);

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";   // the antiforgery call set SAMEORIGIN; the CSP allows no framing at all
        headers["Referrer-Policy"] = "no-referrer";
        // Set after the antiforgery call, which writes its own caching headers: the page carries a per-user token.
        headers.CacheControl = "no-store";
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

    /// <summary>Who is looking at the page and what they may do. With no login configured every visitor is local
    /// (the group already admits loopback requests only).</summary>
    internal static (string User, string Role, bool LoginEnabled) Viewer(HttpContext http) =>
        (http.User.Identity?.Name ?? "", "local", false);

    /// <summary>The group's prefix as this request sees it (behind a PathBase too): the request path less
    /// <c>/dashboard</c>.</summary>
    internal static string BaseOf(HttpRequest request)
    {
        var path = (request.Path.Value ?? "").TrimEnd('/');
        var prefix = path.EndsWith(PagePath, StringComparison.OrdinalIgnoreCase) ? path[..^PagePath.Length] : path;
        return request.PathBase.Value + prefix;
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
