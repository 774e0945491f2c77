using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>The login brake keys on the real client address: guesses from one address hold that address only, never
/// the user's logins from another; and an unknown user fails as slowly as a known one.</summary>
[Collection(UsersApiCollection.Name)]
public sealed class LoginBrakeTests(UsersApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient(new() { AllowAutoRedirect = false });

    internal static HttpRequestMessage Basic(string user, string password, string? from = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/tasks/registry");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        if (from is not null) request.Headers.Add(ApiFactory.RemoteAddressHeader, from);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    [Fact]
    public async Task Guesses_from_one_address_never_lock_the_user_out_from_another()
    {
        for (var i = 0; i < 6; i++)
            using (await _http.SendAsync(Basic(UsersApiFactory.Admin, $"guess-{i}", from: "198.51.100.7"))) { }
        using var held = await _http.SendAsync(Basic(UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from: "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.NotNull(held.Headers.RetryAfter);

        using var elsewhere = await _http.SendAsync(Basic(UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from: "198.51.100.8"));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task An_unknown_user_fails_in_about_the_time_a_known_user_with_a_wrong_password_does()
    {
        // Each try from an address of its own, so the brake never holds (a held attempt is not even checked).
        var address = 0;
        async Task<double> MedianMillisecondsAsync(string user)
        {
            var times = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await _http.SendAsync(Basic(user, "not-the-password", from: $"203.0.113.{++address}"));
                times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
            times.Sort();
            return times[times.Count / 2];
        }

        await MedianMillisecondsAsync("warm-up");
        var known = await MedianMillisecondsAsync(UsersApiFactory.Viewer);    // vic has a PBKDF2 PasswordHash
        var unknown = await MedianMillisecondsAsync("nobody-by-this-name");
        Assert.True(unknown > known / 3 && unknown < known * 3,
            $"a wrong password for a known user took {known:0.0} ms (median), an unknown user {unknown:0.0} ms: names can be told apart");
    }
}

/// <summary>Users configured behind a reverse proxy on this machine that the app declared with ForwardedHeaders.</summary>
public sealed class ProxiedUsersApiFactory : UsersApiFactory
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddTransient<IStartupFilter, ForwardedHeadersFirst>();

    private sealed class ForwardedHeadersFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Loopback is a known proxy by default (KnownNetworks 127.0.0.0/8, KnownProxies ::1).
            app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
            next(app);
        };
    }
}

public sealed class ProxiedLoginBrakeTests(ProxiedUsersApiFactory factory) : IClassFixture<ProxiedUsersApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient(new() { AllowAutoRedirect = false });

    [Fact]
    public async Task Behind_a_declared_proxy_the_brake_keys_on_the_forwarded_client_not_on_the_proxy()
    {
        for (var i = 0; i < 6; i++)
            using (await _http.SendAsync(LoginBrakeTests.Basic(UsersApiFactory.Admin, $"guess-{i}", from: "127.0.0.1", forwardedFor: "198.51.100.20"))) { }
        using var held = await _http.SendAsync(LoginBrakeTests.Basic(UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from: "127.0.0.1", forwardedFor: "198.51.100.20"));
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);

        // Another client through the same proxy is not held.
        using var other = await _http.SendAsync(LoginBrakeTests.Basic(UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from: "127.0.0.1", forwardedFor: "198.51.100.21"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
