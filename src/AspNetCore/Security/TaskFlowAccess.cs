using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TaskFlow.Security;

/// <summary>Who may use the dashboard and the admin API (API.md, Security): registration and the rule applied to
/// <c>MapTaskFlow</c>'s route group. TaskFlow's schemes are never the app's default, so an app's own authentication
/// is left alone.</summary>
internal static class TaskFlowAccess
{
    public const string Scheme = "TaskFlow";
    public const string CookieScheme = "TaskFlow.Cookie";
    public const string BasicScheme = "TaskFlow.Basic";
    public const string UsersPolicy = "TaskFlow.Users";
    public const string SessionCookie = ".TaskFlow.Session";

    public static IServiceCollection AddTaskFlowAccess(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TaskFlowDashboardOptions.SectionName);
        services.AddOptions<TaskFlowDashboardOptions>()
            .Bind(section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskFlowDashboardOptions>, DashboardOptionsValidation>();
        services.TryAddSingleton<LoginBrake>();
        services.TryAddSingleton<DashboardUsers>();
        services.AddAntiforgery();

        var dashboard = section.Get<TaskFlowDashboardOptions>() ?? new TaskFlowDashboardOptions();
        if (dashboard.Mode != TaskFlowAccessMode.Users) return services;

        services.AddAuthentication()
            .AddPolicyScheme(Scheme, "TaskFlow", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? BasicScheme : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicScheme, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = SessionCookie;
                o.Cookie.HttpOnly = true;
                // Lax keeps a link into the dashboard from another site working; changes still need the
                // anti-forgery token, which another site cannot read.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(dashboard.SessionHours);
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = RedirectOrChallengeAsync,
                    OnRedirectToAccessDenied = context => AccessProblems.ForbiddenAsync(context.HttpContext),
                    OnValidatePrincipal = RejectRemovedUsersAsync,
                };
            });
        // Sessions live in the cluster (SessionTicketStore): logout revokes them on every node.
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme)
            .Configure<IGrainFactory, TimeProvider, Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>((o, grains, time, protection) =>
                o.SessionStore = new SessionTicketStore(grains, time, dashboard.SessionHours, protection.CreateProtector("TaskFlow.Sessions.v1")));
        services.AddAuthorizationBuilder()
            .AddPolicy(UsersPolicy, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new RoleRequirement()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, RoleRequirement>());
        return services;
    }

    /// <summary>Applies the configured rule to the whole route group (the stream and the dashboard included).</summary>
    public static void Protect(RouteGroupBuilder group, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TaskFlowDashboardOptions>>().Value;
        switch (options.Mode)
        {
            case TaskFlowAccessMode.Users:
                group.RequireAuthorization(UsersPolicy);
                break;
            case TaskFlowAccessMode.Policy:
                group.RequireAuthorization(options.Policy!);
                break;
            default:
                group.AddEndpointFilter<LoopbackOnlyFilter>();
                break;
        }
        group.AddEndpointFilter<StateChangeGuard>();
    }

    /// <summary>A browser asking for the dashboard page goes to the login form; everything else gets a 401.</summary>
    private static Task RedirectOrChallengeAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        if (SessionTicketStore.WasUnavailable(context.HttpContext))
        {
            context.Response.Headers.RetryAfter = Endpoints.TaskFlowProblems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return AccessProblems.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, "TaskFlow is unavailable",
                "The session could not be checked: the task cluster or its store did not answer. Try again shortly.");
        }
        if (HttpMethods.IsGet(request.Method) && request.Path.Value?.EndsWith("/dashboard", StringComparison.OrdinalIgnoreCase) == true)
        {
            var here = $"{request.PathBase}{request.Path}{request.QueryString}";
            context.Response.Redirect($"{here.Split('?')[0]}/login?returnUrl={Uri.EscapeDataString(here)}");
            return Task.CompletedTask;
        }
        return AccessProblems.UnauthorizedAsync(context.HttpContext);
    }

    private static Task RejectRemovedUsersAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<DashboardUsers>();
        if (context.Principal is null || !users.StillValid(context.Principal)) context.RejectPrincipal();
        return Task.CompletedTask;
    }

    private sealed class DashboardOptionsValidation : IValidateOptions<TaskFlowDashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowDashboardOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
