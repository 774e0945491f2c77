using System.Net;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>Users configured: the login form, its cookie, the anti-forgery token on changes, logout.</summary>
[Collection(UsersApiCollection.Name)]
public sealed class LoginTests(UsersApiFactory factory)
{
    private const string DashboardCsp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private HttpClient Browser() => factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string user, string password,
        string returnUrl = "/tasks/dashboard", string? from = null)
    {
        var form = await browser.GetStringAsync("/tasks/dashboard/login");
        var request = new HttpRequestMessage(HttpMethod.Post, "/tasks/dashboard/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = AdminEndpoints.FormToken(form),
                ["username"] = user,
                ["password"] = password,
                ["returnUrl"] = returnUrl,
            }),
        };
        if (from is not null) request.Headers.Add(ApiFactory.RemoteAddressHeader, from);
        return await browser.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> PostWithPageTokenAsync(HttpClient browser, string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-TaskFlow-Client", "dashboard");
        if (token is not null) request.Headers.Add("X-TaskFlow-Antiforgery", token);
        return await browser.SendAsync(request);
    }

    [Fact]
    public async Task The_login_page_is_the_embedded_template_filled_once_with_encoded_values_and_no_inline_code()
    {
        using var browser = Browser();
        const string returnUrl = "/tasks/dashboard?q={{token}}\">";

        using var response = await browser.GetAsync($"/tasks/dashboard/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        // The way back is kept as text: encoded, and its placeholder-like part is not filled in.
        const string encoded = "value=\"/tasks/dashboard?q={{token}}&quot;&gt;\"";
        Assert.Contains(encoded, html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html.Replace(encoded, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("href=\"/tasks/dashboard/assets/app.css?v=", html, StringComparison.Ordinal);
        Assert.Contains("id=\"login-error\" hidden></p>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"username\" autocomplete=\"username\" required autofocus", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DashboardCsp, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Logging_in_sets_an_http_only_same_site_cookie_and_returns_to_the_page_asked_for()
    {
        using var browser = Browser();
        using var login = await PostLoginAsync(browser, UsersApiFactory.Admin, UsersApiFactory.AdminPassword, "/tasks/dashboard?status=failed");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/tasks/dashboard?status=failed", login.Headers.Location?.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".TaskFlow.Session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        using var page = await browser.GetAsync("/tasks/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var list = await browser.GetAsync("/tasks");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_form_again_with_an_error_and_sets_no_session()
    {
        using var browser = Browser();
        using var login = await PostLoginAsync(browser, UsersApiFactory.Admin, "wrong", from: "192.0.2.10");

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("Invalid user name or password.", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(login.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith(".TaskFlow.Session=", StringComparison.Ordinal));
        using var list = await browser.GetAsync("/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    [Fact]
    public async Task A_login_form_without_its_token_is_refused()
    {
        using var browser = Browser();
        using var login = await browser.PostAsync("/tasks/dashboard/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = UsersApiFactory.Admin,
            ["password"] = UsersApiFactory.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        using var list = await browser.GetAsync("/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    [Fact]
    public async Task The_login_never_redirects_to_another_site()
    {
        using var browser = Browser();
        using var login = await PostLoginAsync(browser, UsersApiFactory.Admin, UsersApiFactory.AdminPassword, "//evil.example/steal");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/tasks/dashboard", login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Changes_through_the_cookie_need_the_page_token()
    {
        using var browser = Browser();
        (await PostLoginAsync(browser, UsersApiFactory.Admin, UsersApiFactory.AdminPassword)).Dispose();
        var token = AdminEndpoints.PageToken(await browser.GetStringAsync("/tasks/dashboard"));
        const string cancel = "/tasks/00000000-0000-0000-0000-0000000000bb/cancel";

        using var without = await PostWithPageTokenAsync(browser, cancel, null);
        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        using var forged = await PostWithPageTokenAsync(browser, cancel, "not-a-token");
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        using var plainPost = await browser.PostAsync(cancel, null);
        Assert.Equal(HttpStatusCode.Forbidden, plainPost.StatusCode);

        using var with = await PostWithPageTokenAsync(browser, cancel, token);
        Assert.Equal(HttpStatusCode.NotFound, with.StatusCode);
    }

    [Fact]
    public async Task A_viewer_signed_in_by_cookie_may_read_but_not_change()
    {
        using var browser = Browser();
        (await PostLoginAsync(browser, UsersApiFactory.Viewer, UsersApiFactory.ViewerPassword)).Dispose();
        var page = await browser.GetStringAsync("/tasks/dashboard");
        Assert.Contains("<meta name=\"taskflow-role\" content=\"viewer\"", page, StringComparison.Ordinal);

        using var stream = await AdminEndpoints.SendAsync(browser, new HttpRequestMessage(HttpMethod.Get, "/tasks/stream"));
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var cancel = await PostWithPageTokenAsync(browser, "/tasks/00000000-0000-0000-0000-0000000000cc/cancel", AdminEndpoints.PageToken(page));
        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        using var browser = Browser();
        (await PostLoginAsync(browser, UsersApiFactory.Admin, UsersApiFactory.AdminPassword)).Dispose();
        var token = AdminEndpoints.PageToken(await browser.GetStringAsync("/tasks/dashboard"));

        using var logout = await browser.PostAsync("/tasks/dashboard/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/tasks/dashboard/login", logout.Headers.Location?.OriginalString);

        using var list = await browser.GetAsync("/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        using var page = await browser.GetAsync("/tasks/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task A_copied_session_cookie_stops_working_once_its_session_logged_out()
    {
        using var browser = Browser();
        using var login = await PostLoginAsync(browser, UsersApiFactory.Admin, UsersApiFactory.AdminPassword);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".TaskFlow.Session=", StringComparison.Ordinal)).Split(';')[0];

        // The copy works while the session lives (an attacker who lifted it from a browser, say)...
        using var copy = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        HttpRequestMessage WithCopiedCookie() => new(HttpMethod.Get, "/tasks") { Headers = { { "Cookie", cookie } } };
        using (var before = await copy.SendAsync(WithCopiedCookie())) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var token = AdminEndpoints.PageToken(await browser.GetStringAsync("/tasks/dashboard"));
        using var logout = await browser.PostAsync("/tasks/dashboard/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        // ...and not after its owner logged out: the session is gone from the cluster, not just from the browser.
        using var after = await copy.SendAsync(WithCopiedCookie());
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task The_login_form_is_braked_too()
    {
        using var browser = Browser();
        const string from = "192.0.2.99";
        for (var i = 0; i < 3; i++) (await PostLoginAsync(browser, UsersApiFactory.Viewer, "guess" + i, from: from)).Dispose();
        using var held = await PostLoginAsync(browser, UsersApiFactory.Viewer, UsersApiFactory.ViewerPassword, from: from);
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.NotNull(held.Headers.RetryAfter);
        Assert.Contains("Too many failed logins", await held.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
