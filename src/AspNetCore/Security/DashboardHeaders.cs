using Microsoft.AspNetCore.Http;

namespace TaskFlow.Security;

/// <summary>Headers of every HTML page TaskFlow serves: no inline script or style, no framing, no caching.</summary>
internal static class DashboardHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void Apply(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // same-origin rather than no-referrer: with no-referrer a browser sends "Origin: null" on the page's own forms.
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
        response.Headers.XFrameOptions = "DENY";
    }
}
