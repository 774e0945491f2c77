using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>An app with its own authentication names a policy (TaskFlow:Dashboard:Policy) instead of users.</summary>
public sealed class PolicyApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["TaskFlow:Dashboard:Policy"] = "OpsOnly",
    };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.AddAuthentication(HeaderAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy("OpsOnly", policy => policy.RequireClaim("team", "ops"));
    }

    /// <summary>The app's own scheme in this test: user and team from request headers.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "AppHeader";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-App-User"].ToString() is not { Length: > 0 } user) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim("team", Request.Headers["X-App-Team"].ToString())], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}

public sealed class PolicyAccessTests(PolicyApiFactory factory) : IClassFixture<PolicyApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient(new() { AllowAutoRedirect = false });

    private async Task<HttpResponseMessage> SendAsync(string endpoint, string? user, string? team)
    {
        var request = AdminEndpoints.Request(endpoint, from: "203.0.113.5");
        if (user is not null) request.Headers.Add("X-App-User", user);
        if (team is not null) request.Headers.Add("X-App-Team", team);
        return await AdminEndpoints.SendAsync(_http, request);
    }

    [Theory]
    [InlineData("GET /tasks")]
    [InlineData("GET /tasks/stream")]
    [InlineData("POST /tasks")]
    public async Task The_named_policy_decides(string endpoint)
    {
        using var anonymous = await SendAsync(endpoint, null, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var outsider = await SendAsync(endpoint, "dev", "web");
        Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        using var ops = await SendAsync(endpoint, "olga", "ops");
        AdminEndpoints.AssertAllowed(ops, endpoint);
    }
}
