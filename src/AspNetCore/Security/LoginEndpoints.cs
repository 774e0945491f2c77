using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Dashboard;

namespace TaskFlow.Security;

/// <summary>The login form and logout of configured users: <c>{prefix}/dashboard/login</c> and
/// <c>{prefix}/dashboard/logout</c>. Both forms carry an anti-forgery token; failed logins go through the brake.</summary>
internal static class LoginEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/dashboard/login", ShowAsync).AllowAnonymous().ExcludeFromDescription();
        group.MapPost("/dashboard/login", LogInAsync).AllowAnonymous().ExcludeFromDescription();
        group.MapPost("/dashboard/logout", LogOutAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult ShowAsync(HttpContext http, IOptions<TaskFlowDashboardOptions> options, string? returnUrl)
    {
        if (options.Value.Mode != TaskFlowAccessMode.Users) return Results.Redirect(DashboardEndpoints.PageOf(http.Request));
        return Page(http, StatusCodes.Status200OK, returnUrl, error: null, user: null);
    }

    private static async Task<IResult> LogInAsync(HttpContext http, IOptions<TaskFlowDashboardOptions> options, DashboardUsers users,
        IAntiforgery antiforgery, ILogger<DashboardUsers> logger)
    {
        if (options.Value.Mode != TaskFlowAccessMode.Users) return Results.Redirect(DashboardEndpoints.PageOf(http.Request));
        if (!http.Request.HasFormContentType)
            return Page(http, StatusCodes.Status400BadRequest, null, "Send the login form.", null);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["username"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        if (!await antiforgery.IsRequestValidAsync(http))
            return Page(http, StatusCodes.Status400BadRequest, returnUrl, "The form expired. Please try again.", user);

        var outcome = users.Check(user, form["password"].ToString(), ClientAddress.Of(http), TaskFlowAccess.CookieScheme);
        if (outcome.Principal is null)
        {
            if (outcome.RetryAfter is { } held)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(held.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Page(http, StatusCodes.Status429TooManyRequests, returnUrl,
                    $"Too many failed logins. Try again in {seconds} s.", user);
            }
            return Page(http, StatusCodes.Status401Unauthorized, returnUrl, "Invalid user name or password.", user);
        }

        await http.SignInAsync(TaskFlowAccess.CookieScheme, outcome.Principal);
        Log.LoggedIn(logger, Log.Bounded(user), http.Connection.RemoteIpAddress?.ToString() ?? "local");
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : DashboardEndpoints.PageOf(http.Request));
    }

    private static async Task<IResult> LogOutAsync(HttpContext http, IOptions<TaskFlowDashboardOptions> options, IAntiforgery antiforgery)
    {
        if (options.Value.Mode != TaskFlowAccessMode.Users) return Results.Redirect(DashboardEndpoints.PageOf(http.Request));
        // The endpoint is anonymous (a stale session must still be able to leave), so sign-in is read here: the
        // page's token was issued to the signed-in user and is checked against that user.
        var signedIn = await http.AuthenticateAsync(TaskFlowAccess.CookieScheme);
        if (signedIn.Principal is { } principal) http.User = principal;
        if (!await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid",
                detail: "__RequestVerificationToken: the anti-forgery token is missing or invalid; reload the dashboard and log out again.");
        await http.SignOutAsync(TaskFlowAccess.CookieScheme);
        return Results.Redirect($"{DashboardEndpoints.PageOf(http.Request)}/login");
    }

    private static IResult Page(HttpContext http, int status, string? returnUrl, string? error, string? user)
    {
        // A token issued to nobody: the login form is posted before anyone is signed in.
        http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var dashboard = DashboardEndpoints.PageOf(http.Request);
        var html = DashboardAssets.Fill(DashboardAssets.LoginTemplate, new Dictionary<string, string?>
        {
            ["dashboard"] = dashboard,
            ["version"] = DashboardAssets.Version,
            ["errorHidden"] = error is null ? " hidden" : "",
            ["error"] = error,
            ["tokenField"] = tokens.FormFieldName,
            ["token"] = tokens.RequestToken,
            ["returnUrl"] = IsLocal(returnUrl) ? returnUrl : dashboard,
            ["user"] = user,
            ["userAutofocus"] = string.IsNullOrEmpty(user) ? " autofocus" : "",
            ["passwordAutofocus"] = string.IsNullOrEmpty(user) ? "" : " autofocus",
        });
        DashboardHeaders.Apply(http.Response);
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    /// <summary>Only a path on this site: never <c>//host</c> or <c>/\host</c>, which browsers treat as another site.</summary>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) &&
        !url.Contains("\\", StringComparison.Ordinal) && !url.Any(char.IsControl);
}
