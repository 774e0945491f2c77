using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.Security;

/// <summary>The problem+json answers of access control: 401 (never a redirect for JSON), 403, and 429 from the brake.</summary>
internal static class AccessProblems
{
    /// <summary>Requests from the dashboard's own scripts say so, and get no Basic challenge (a browser would
    /// otherwise pop up its own password dialog instead of the page sending the user to the login form).</summary>
    public const string ClientHeader = "X-TaskFlow-Client";

    private const string HeldKey = "TaskFlow.LoginHeld";

    public static void MarkHeld(HttpContext http, TimeSpan retryAfter) => http.Items[HeldKey] = retryAfter;

    public static bool IsFromDashboard(HttpRequest request) =>
        string.Equals(request.Headers[ClientHeader], "dashboard", StringComparison.OrdinalIgnoreCase);

    public static Task UnauthorizedAsync(HttpContext http)
    {
        if (http.Items[HeldKey] is TimeSpan held) return TooManyAttemptsAsync(http, held);
        if (!IsFromDashboard(http.Request))
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"TaskFlow\", charset=\"UTF-8\"";
        return WriteAsync(http, StatusCodes.Status401Unauthorized, "Authentication required",
            "Log in on the dashboard's login page, or send HTTP Basic credentials of a user in TaskFlow:Dashboard:Users.");
    }

    public static Task ForbiddenAsync(HttpContext http) =>
        WriteAsync(http, StatusCodes.Status403Forbidden, "Forbidden",
            HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                ? "This user may not read TaskFlow's admin API."
                : "This user's role may read but not change anything (POST and DELETE need the 'admin' role).");

    public static Task TooManyAttemptsAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many failed logins",
            $"Logins for this user from this address are held for {seconds} s after repeated failures.");
    }

    public static async Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetService<IProblemDetailsService>();
        var context = new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        if (problems is null || !await problems.TryWriteAsync(context))
            await http.Response.WriteAsJsonAsync(context.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
