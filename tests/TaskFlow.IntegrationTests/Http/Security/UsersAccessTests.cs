using System.Net;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>Users configured: the access matrix (anonymous / viewer / admin × every endpoint, the stream and the page
/// included) over HTTP Basic, from this machine and from elsewhere alike.</summary>
[Collection(UsersApiCollection.Name)]
public sealed class UsersAccessTests(UsersApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task Anonymous_gets_401_problem_with_a_basic_challenge_and_the_page_redirects_to_login(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request(endpoint));
        if (endpoint == AdminEndpoints.Page)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/tasks/dashboard/login?returnUrl=%2Ftasks%2Fdashboard", response.Headers.Location?.OriginalString);
            return;
        }
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task Anonymous_from_another_machine_gets_the_same_401(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request(endpoint, from: "203.0.113.5"));
        Assert.Equal(endpoint == AdminEndpoints.Page ? HttpStatusCode.Redirect : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.Reads), MemberType = typeof(AdminEndpoints))]
    public async Task A_viewer_reads_everything(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request(endpoint, UsersApiFactory.Viewer, UsersApiFactory.ViewerPassword, from: "203.0.113.5"));
        AdminEndpoints.AssertAllowed(response, endpoint);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.Changes), MemberType = typeof(AdminEndpoints))]
    public async Task A_viewer_gets_403_on_every_change(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request(endpoint, UsersApiFactory.Viewer, UsersApiFactory.ViewerPassword));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'admin' role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints.All), MemberType = typeof(AdminEndpoints))]
    public async Task An_admin_may_do_everything_from_anywhere(string endpoint)
    {
        using var response = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request(endpoint, UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from: "203.0.113.5"));
        AdminEndpoints.AssertAllowed(response, endpoint);
    }

    [Fact]
    public async Task A_wrong_password_is_401_and_the_dashboard_scripts_get_no_browser_challenge()
    {
        using var wrong = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request("GET /tasks", UsersApiFactory.Admin, "not-it", from: "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var fromPage = AdminEndpoints.Request("GET /tasks");
        fromPage.Headers.Add("X-TaskFlow-Client", "dashboard");
        using var page = await AdminEndpoints.SendAsync(_http, fromPage);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Empty(page.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Repeated_failed_logins_are_held_with_retry_after_even_with_the_right_password_then()
    {
        const string from = "198.51.100.77";
        for (var i = 0; i < 2; i++)
        {
            using var failed = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request("GET /tasks", UsersApiFactory.Admin, "guess" + i, from));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }
        using var third = await AdminEndpoints.SendAsync(_http, AdminEndpoints.Request("GET /tasks", UsersApiFactory.Admin, "guess3", from));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);

        using var held = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request("GET /tasks", UsersApiFactory.Admin, UsersApiFactory.AdminPassword, from));
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.True(held.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", held.Content.Headers.ContentType?.MediaType);

        using var otherAddress = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request("GET /tasks", UsersApiFactory.Admin, UsersApiFactory.AdminPassword, "198.51.100.78"));
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
    }

    [Fact]
    public async Task Audit_names_the_user_who_acted()
    {
        using var delete = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request("DELETE /tasks/history?olderThan=3650d", UsersApiFactory.Admin, UsersApiFactory.AdminPassword));
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var audit = await AdminEndpoints.SendAsync(_http,
            AdminEndpoints.Request("GET /tasks/audit", UsersApiFactory.Viewer, UsersApiFactory.ViewerPassword));
        Assert.Contains($"\"actor\":\"{UsersApiFactory.Admin}\"", await audit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
