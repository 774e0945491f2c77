using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Categories;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The page's own reactions, on the loopback host: headers and token on every call, a 401 in the middle of a
/// session goes to the login page, a 403 on a change is explained, a viewer's page offers no action anywhere. Roles
/// and answers the loopback host never gives are rewritten in the browser here; DashboardLoginTests does the real
/// login, logout and viewer against a host with users.</summary>
[Collection(DashboardBrowser.Collection)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DashboardAccessTests(DashboardBrowser browser)
{
    private static async Task AsAsync(IPage page, string role, bool login, string user = "ada")
    {
        await page.RouteAsync(new Regex("/tasks/dashboard$"), async route =>
        {
            var response = await route.FetchAsync();
            var html = (await response.TextAsync())
                .Replace("name=\"taskflow-role\" content=\"local\"", $"name=\"taskflow-role\" content=\"{role}\"", StringComparison.Ordinal)
                .Replace("name=\"taskflow-login\" content=\"false\"", $"name=\"taskflow-login\" content=\"{(login ? "true" : "false")}\"", StringComparison.Ordinal)
                .Replace("name=\"taskflow-user\" content=\"\"", $"name=\"taskflow-user\" content=\"{user}\"", StringComparison.Ordinal);
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = html });
        });
    }

    [Fact]
    public async Task Changes_carry_the_client_header_and_the_antiforgery_token_of_the_page()
    {
        var id = await browser.Api.EnqueueAsync("sleep", new { ms = 60_000 });
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync($"#task/{id:D}");
        var token = await tab.Page.Locator("meta[name='taskflow-antiforgery']").GetAttributeAsync("content");

        var request = await tab.Page.RunAndWaitForRequestAsync(() => tab.Page.Locator("#detail-cancel").ClickAsync(),
            r => r.Method == "POST" && r.Url.EndsWith("/cancel", StringComparison.Ordinal));

        var headers = await request.AllHeadersAsync();
        Assert.Equal("dashboard", headers["x-taskflow-client"]);
        Assert.Equal(token, headers["x-taskflow-antiforgery"]);
        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("cancelled");
    }

    [Fact]
    public async Task A_401_sends_the_browser_to_the_login_page_with_the_way_back()
    {
        await using var tab = await browser.OpenAsync();
        await tab.Page.RouteAsync("**/tasks/metrics", route => route.FulfillAsync(new RouteFulfillOptions { Status = 401 }));
        await tab.Page.RouteAsync("**/tasks/dashboard/login**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200, ContentType = "text/html", Body = "<!doctype html><title>Log in</title>",
        }));

        await tab.Page.GotoAsync("/tasks/dashboard#dead");

        await Expect(tab.Page).ToHaveURLAsync(new Regex("/tasks/dashboard/login\\?returnUrl=%2Ftasks%2Fdashboard%23dead$"));
    }

    [Fact]
    public async Task A_viewer_sees_no_actions()
    {
        var failed = await browser.Api.EnqueueAsync("fail", new { message = "viewer sees this" });
        await browser.WaitForStatusAsync(failed, "failed");
        await using var tab = await browser.OpenAsync();
        await AsAsync(tab.Page, "viewer", login: true);

        await tab.GotoAsync($"#task/{failed:D}");
        await Expect(tab.Page.Locator("#detail-error")).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("#detail-retry")).ToBeHiddenAsync();
        await tab.Page.Locator("#detail-close").ClickAsync();

        await tab.Page.Locator("#tab-dead").ClickAsync();
        await Expect(tab.Page.Locator($"#dead-body tr[data-task-id='{failed:D}']")).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("#replay-selected")).ToBeHiddenAsync();
        await Expect(tab.Page.Locator("#replay-window")).ToBeHiddenAsync();
        await Expect(tab.Page.Locator(".select-dead").First).ToBeHiddenAsync();

        await tab.Page.Locator("#tab-schedules").ClickAsync();
        await Expect(tab.Page.Locator("#schedules-body tr").First).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("#schedules-body button.action:visible")).ToHaveCountAsync(0);
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task A_403_on_a_change_says_the_role_cannot_do_it()
    {
        await using var tab = await browser.OpenAsync();
        await tab.Page.RouteAsync("**/tasks/schedules/*/trigger", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 403, ContentType = "application/problem+json", Body = """{"status":403,"title":"Forbidden"}""",
        }));
        await tab.GotoAsync("#schedules");

        await tab.Page.Locator("#schedules-body tr[data-schedule='sync_exchange_rates'] button[data-action='trigger']").ClickAsync();

        await Expect(tab.Page.Locator("#toasts")).ToContainTextAsync("Your role cannot do this");
    }
}
