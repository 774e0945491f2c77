using System.Net;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>No users configured: the dashboard and every admin endpoint answer only this machine.</summary>
[Collection(ApiCollection.Name)]
public sealed class LoopbackAccessTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient(new() { AllowAutoRedirect = false });

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task Without_users_a_remote_request_is_forbidden(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request(endpoint, from: "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task Without_users_a_loopback_request_is_served(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request(endpoint, from: "127.0.0.1"));
        AdminEndpoints.AssertAllowed(response, endpoint);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task Without_users_a_loopback_request_naming_another_host_is_refused_against_dns_rebinding(string endpoint)
    {
        // A page on attacker.example whose name now resolves to 127.0.0.1: the browser connects to loopback but names
        // attacker.example in Host (and, for changes, in Origin, so the cross-site guard alone would let it pass).
        var request = AdminEndpoints.Request(endpoint, from: "127.0.0.1");
        request.Headers.Host = "attacker.example:5000";
        if (!endpoint.StartsWith("GET ", StringComparison.Ordinal)) request.Headers.Add("Origin", "http://attacker.example:5000");
        using var response = await AdminEndpoints.SendAsync(_http, request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("TaskFlow:Dashboard:Users", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.5")]
    [InlineData("Forwarded", "for=203.0.113.5;proto=https")]
    [InlineData("X-Real-IP", "203.0.113.5")]
    public async Task Without_users_a_loopback_request_relayed_by_a_proxy_is_refused(string header, string value)
    {
        foreach (var endpoint in new[] { "GET /tasks", "GET /tasks/dashboard", "POST /tasks" })
        {
            var request = AdminEndpoints.Request(endpoint, from: "127.0.0.1");
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await AdminEndpoints.SendAsync(_http, request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains(header, body, StringComparison.Ordinal);
            Assert.Contains("TaskFlow:Dashboard:Users", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:5000")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:5000")]
    public async Task Without_users_a_request_naming_this_machine_is_served(string host)
    {
        var request = AdminEndpoints.Request("GET /tasks", from: "::1");
        request.Headers.Host = host;
        using var response = await AdminEndpoints.SendAsync(_http, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.Reads), MemberType = typeof(AdminEndpoints))]
    public async Task Every_get_route_answers_head_with_the_status_of_get_and_no_body(string endpoint)
    {
        var path = endpoint["GET ".Length..];
        using var get = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request(endpoint, from: "127.0.0.1"));
        using var head = await AdminEndpoints.SendAsync(_http, new HttpRequestMessage(HttpMethod.Head, path) { Headers = { { ApiFactory.RemoteAddressHeader, "127.0.0.1" } } });
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Health_and_the_demo_route_need_no_access()
    {
        using var live = await AdminEndpoints.SendAsync(_http, new HttpRequestMessage(HttpMethod.Get, "/health/live") { Headers = { { ApiFactory.RemoteAddressHeader, "203.0.113.5" } } });
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_change_a_browser_marks_cross_site_is_refused_even_from_loopback()
    {
        var request = AdminEndpoints.Request("POST /tasks", from: "127.0.0.1");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSite = await AdminEndpoints.SendAsync(_http, request);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Contains("Cross-site", await crossSite.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var foreign = AdminEndpoints.Request("POST /tasks", from: "127.0.0.1");
        foreign.Headers.Add("Origin", "http://evil.example");
        using var fromOtherOrigin = await AdminEndpoints.SendAsync(_http, foreign);
        Assert.Equal(HttpStatusCode.Forbidden, fromOtherOrigin.StatusCode);

        var same = AdminEndpoints.Request("POST /tasks", from: "127.0.0.1");
        same.Headers.Add("Origin", "http://localhost");
        same.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var sameOrigin = await AdminEndpoints.SendAsync(_http, same);
        Assert.Equal(HttpStatusCode.Accepted, sameOrigin.StatusCode);
    }

    [Theory]
    [InlineData("same-origin", HttpStatusCode.Accepted)]
    [InlineData(null, HttpStatusCode.Forbidden)]
    public async Task An_opaque_origin_passes_only_when_the_browser_says_same_origin(string? site, HttpStatusCode expected)
    {
        var request = AdminEndpoints.Request("POST /tasks", from: "127.0.0.1");
        request.Headers.Add("Origin", "null");
        if (site is not null) request.Headers.Add("Sec-Fetch-Site", site);
        using var response = await AdminEndpoints.SendAsync(_http, request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_change_from_the_dashboard_without_its_token_is_refused()
    {
        var request = AdminEndpoints.Request("POST /tasks", from: "127.0.0.1");
        request.Headers.Add("X-TaskFlow-Client", "dashboard");
        using var response = await AdminEndpoints.SendAsync(_http, request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("anti-forgery", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_users_the_login_page_leads_to_the_dashboard()
    {
        using var response = await _http.GetAsync("/tasks/dashboard/login");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/tasks/dashboard", response.Headers.Location?.OriginalString);
    }
}
