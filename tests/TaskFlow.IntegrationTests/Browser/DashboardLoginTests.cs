using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Categories;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The dashboard with configured users: an admin <c>ada</c> and a viewer <c>vic</c>. The test's own HTTP
/// client uses Basic as the admin.</summary>
public sealed class LoginDashboardBrowser : DashboardBrowser, IAsyncLifetime
{
    public const string AdminPassword = "ada-Browser-1";
    public const string ViewerPassword = "vic-Browser-2";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["TaskFlow__Dashboard__Users__ada__Password"] = AdminPassword,
        ["TaskFlow__Dashboard__Users__ada__Role"] = "admin",
        ["TaskFlow__Dashboard__Users__vic__Password"] = ViewerPassword,
        ["TaskFlow__Dashboard__Users__vic__Role"] = "viewer",
    };

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Api.Http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"ada:{AdminPassword}")));
    }
}

/// <summary>Logging in and out for real: the login form, the session cookie, a change carrying the page's token,
/// a viewer held to reading, and logout.</summary>
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DashboardLoginTests(LoginDashboardBrowser browser, ITestOutputHelper output) : IClassFixture<LoginDashboardBrowser>
{
    private static async Task LogInAsync(IPage page, string user, string password)
    {
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#login-submit").ClickAsync();
    }

    [Fact]
    public async Task An_admin_logs_in_acts_through_the_page_and_logs_out()
    {
        var running = await browser.Api.EnqueueAsync("sleep", new { ms = 60_000 });
        await browser.WaitForStatusAsync(running, "running");
        await using var tab = await browser.OpenAsync();

        await tab.Page.GotoAsync($"/tasks/dashboard#task/{running:D}");
        await Expect(tab.Page).ToHaveURLAsync(new Regex("/tasks/dashboard/login\\?returnUrl="));
        await tab.ScreenshotAsync("login", output);

        await LogInAsync(tab.Page, "ada", "wrong password");
        await Expect(tab.Page.Locator("#login-error")).ToHaveTextAsync("Invalid user name or password.");
        await tab.ScreenshotAsync("login-failed", output);

        await LogInAsync(tab.Page, "ada", LoginDashboardBrowser.AdminPassword);
        await Expect(tab.Page.Locator("#live-indicator")).ToHaveAttributeAsync("data-state", "live");
        await Expect(tab.Page.Locator("#user-name")).ToHaveTextAsync("ada");

        // A real change through the cookie: the page's anti-forgery token must pass the server's check.
        await tab.Page.GotoAsync($"/tasks/dashboard#task/{running:D}");
        await tab.Page.Locator("#detail-cancel").ClickAsync();
        await browser.WaitForStatusAsync(running, "cancelled");
        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("cancelled");

        await tab.Page.Locator("#detail-close").ClickAsync();
        await tab.Page.Locator("#logout").ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(new Regex("/tasks/dashboard/login$"));
        await tab.Page.GotoAsync("/tasks/dashboard");
        await Expect(tab.Page).ToHaveURLAsync(new Regex("/tasks/dashboard/login\\?returnUrl="));
        Assert.DoesNotContain(tab.ConsoleErrors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_viewer_sees_no_actions_and_the_server_refuses_a_change_from_the_page()
    {
        var failed = await browser.Api.EnqueueAsync("fail", new { message = "viewer sees this" });
        await browser.WaitForStatusAsync(failed, "failed");
        await using var tab = await browser.OpenAsync();
        await tab.Page.GotoAsync("/tasks/dashboard");
        await LogInAsync(tab.Page, "vic", LoginDashboardBrowser.ViewerPassword);
        await Expect(tab.Page.Locator("#user-name")).ToHaveTextAsync("vic");

        await tab.Page.GotoAsync($"/tasks/dashboard#task/{failed:D}");
        await Expect(tab.Page.Locator("#detail-error")).ToContainTextAsync("viewer sees this");
        await Expect(tab.Page.Locator("#detail-retry")).ToBeHiddenAsync();
        await tab.ScreenshotAsync("viewer-task-detail", output, fullPage: false);

        // Hidden buttons are not the protection: the same request the page would send is refused.
        var status = await tab.Page.EvaluateAsync<int>("""
            async id => {
              const token = document.querySelector('meta[name="taskflow-antiforgery"]').content;
              const response = await fetch(`/tasks/${id}/retry`, { method: 'POST', credentials: 'same-origin',
                headers: { 'X-TaskFlow-Client': 'dashboard', 'X-TaskFlow-Antiforgery': token } });
              return response.status;
            }
            """, failed.ToString("D"));
        Assert.Equal(403, status);
    }
}
