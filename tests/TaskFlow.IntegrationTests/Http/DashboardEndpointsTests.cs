using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using TaskFlow.Dashboard;

namespace TaskFlow.IntegrationTests.Http;

[Collection(ApiCollection.Name)]
public sealed partial class DashboardEndpointsTests(ApiFactory factory)
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_page_is_html_with_the_security_headers()
    {
        var response = await _http.GetAsync("/tasks/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(Csp, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task The_page_carries_base_token_user_role_and_login_as_meta_tags_and_nothing_inline()
    {
        var html = await _http.GetStringAsync("/tasks/dashboard");

        Assert.Equal("/tasks", Meta(html, "taskflow-base"));
        Assert.True(Meta(html, "taskflow-antiforgery").Length > 20, "an anti-forgery request token");
        Assert.Equal("", Meta(html, "taskflow-user"));
        Assert.Equal("local", Meta(html, "taskflow-role"));
        Assert.Equal("false", Meta(html, "taskflow-login"));
        // The CSP allows no inline code: every script has a src, and there is no style block or attribute.
        Assert.All(ScriptTag().Matches(html), m => Assert.Contains("src=", m.Value, StringComparison.Ordinal));
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(StyleAttribute(), html);
        Assert.DoesNotMatch(EventAttribute(), html);
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("app.css", "text/css; charset=utf-8")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task Assets_have_their_type_an_etag_and_are_revalidated(string file, string contentType)
    {
        var response = await _http.GetAsync($"/tasks/dashboard/assets/{file}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var etag = response.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/tasks/dashboard/assets/{file}");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task The_script_is_an_es_module_whose_imports_are_all_served_as_javascript()
    {
        var html = await _http.GetStringAsync("/tasks/dashboard");
        var entry = Assert.Single(ScriptTag().Matches(html)).Value;
        Assert.Contains("type=\"module\"", entry, StringComparison.Ordinal);

        // Every module reachable from app.js by its static imports, fetched as the browser would.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(["app.js"]);
        while (pending.TryDequeue(out var file))
        {
            if (!seen.Add(file)) continue;
            using var response = await _http.GetAsync($"/tasks/dashboard/assets/{file}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file} answered {(int)response.StatusCode}");
            Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            foreach (Match import in ModuleImport().Matches(await response.Content.ReadAsStringAsync())) pending.Enqueue(import.Groups[1].Value);
        }
        Assert.Contains("api.js", seen);
        Assert.Contains("live.js", seen);
        Assert.True(seen.Count > 5, $"the dashboard is split into modules ({seen.Count} found)");
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("login.html")]
    [InlineData("app.map")]
    [InlineData("..%2Fapp.js")]
    [InlineData("APP.JS")]
    public async Task Anything_else_under_assets_is_not_found(string file)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/tasks/dashboard/assets/{file}")).StatusCode);
    }

    [Theory]
    [InlineData("", "/tasks/dashboard", "/tasks")]
    [InlineData("/app", "/tasks/dashboard", "/app/tasks")]
    [InlineData("", "/admin/jobs/dashboard/", "/admin/jobs")]
    [InlineData("", "/dashboard", "")]
    [InlineData("/app", "/tasks/dashboard/login", "/app/tasks")]
    [InlineData("", "/tasks/dashboard/assets/app.css", "/tasks")]
    public void The_base_is_the_group_prefix_as_the_request_sees_it(string pathBase, string path, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.PathBase = pathBase;
        context.Request.Path = path;

        Assert.Equal(expected, DashboardEndpoints.BaseOf(context.Request));
    }

    private static string Meta(string html, string name)
    {
        var match = Regex.Match(html, $"<meta name=\"{Regex.Escape(name)}\" content=\"([^\"]*)\">");
        Assert.True(match.Success, $"meta {name}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("^import [^;]* from '\\./([a-z]+\\.js)';", RegexOptions.Multiline)]
    private static partial Regex ModuleImport();

    [GeneratedRegex("\\sstyle\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex("\\son[a-z]+\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventAttribute();
}
