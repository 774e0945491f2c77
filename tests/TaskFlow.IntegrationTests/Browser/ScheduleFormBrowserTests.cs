using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Categories;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The Schedules tab's forms in a real browser against the real Api: an admin creates a runtime schedule (a
/// refused field is marked and explained, the form stays open), edits it, and deletes it after confirming.</summary>
[Collection(DashboardBrowser.Collection)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class ScheduleFormBrowserTests(DashboardBrowser browser, ITestOutputHelper output)
{
    private async Task<JsonElement?> ListedAsync(string name) =>
        (await browser.Api.Http.GetFromJsonAsync<JsonElement>("/tasks/schedules")).EnumerateArray()
            .Where(s => s.GetProperty("name").GetString() == name).Select(s => (JsonElement?)s).SingleOrDefault();

    [Fact]
    public async Task An_admin_creates_edits_and_deletes_a_runtime_schedule_through_the_forms()
    {
        var name = "browser_" + Guid.NewGuid().ToString("N")[..8];
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync("#schedules");
        var page = tab.Page;
        var dialog = page.Locator("#schedule-dialog");

        // Create, first with a cron the server refuses: the form names the field and stays open.
        await page.Locator("#schedule-new").ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await page.Locator("#schedule-name").FillAsync(name);
        await page.Locator("#schedule-task").SelectOptionAsync("sleep");
        await page.Locator("#schedule-kind").SelectOptionAsync("cron");
        await page.Locator("#schedule-cron").FillAsync("61 * * * *");
        await page.Locator("#schedule-args").FillAsync("""{"ms": 1}""");
        await page.Locator("#schedule-save").ClickAsync();
        await Expect(page.Locator("#schedule-error")).ToContainTextAsync("cron:");
        await Expect(page.Locator("#schedule-cron")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dialog).ToBeVisibleAsync();

        await page.Locator("#schedule-kind").SelectOptionAsync("every");
        await page.Locator("#schedule-every").FillAsync("3600");
        await page.Locator("#schedule-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        var row = page.Locator($"#schedules-body tr[data-schedule='{name}']");
        await Expect(row).ToContainTextAsync("runtime");
        await Expect(row).ToContainTextAsync("every 1h 00m");
        var created = (await ListedAsync(name))!.Value;
        Assert.Equal(("sleep", 3600.0, 1), (created.GetProperty("task").GetString(), created.GetProperty("every").GetDouble(),
            created.GetProperty("args").GetProperty("ms").GetInt32()));

        // Edit: the form opens filled in, the name fixed.
        await row.Locator("button[data-action='edit']").ClickAsync();
        await Expect(page.Locator("#schedule-name")).ToHaveValueAsync(name);
        Assert.True(await page.Locator("#schedule-name").EvaluateAsync<bool>("e => e.readOnly"));
        await Expect(page.Locator("#schedule-every")).ToHaveValueAsync("3600");
        await page.Locator("#schedule-kind").SelectOptionAsync("cron");
        await page.Locator("#schedule-cron").FillAsync("0 9 * * 1-5");
        await page.Locator("#schedule-zone").FillAsync("Europe/Paris");
        await page.Locator("#schedule-overlap").SelectOptionAsync("skip");
        await tab.ScreenshotAsync("schedule-form", output);
        await page.Locator("#schedule-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(row).ToContainTextAsync("cron 0 9 * * 1-5 (Europe/Paris)");
        var edited = (await ListedAsync(name))!.Value;
        Assert.Equal(("Europe/Paris", "skip"), (edited.GetProperty("timeZone").GetString(), edited.GetProperty("overlap").GetString()));

        // Delete, after the confirmation; a schedule of code offers neither edit nor delete.
        await Expect(page.Locator("#schedules-body tr[data-schedule='sync_exchange_rates'] button[data-action='delete']")).ToHaveCountAsync(0);
        await row.Locator("button[data-action='delete']").ClickAsync();
        await Expect(page.Locator("#schedule-delete-title")).ToHaveTextAsync($"Delete the schedule {name}?");
        await page.Locator("#schedule-delete-ok").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Null(await ListedAsync(name));
        // The browser reports the refused create's 400 itself; nothing else went wrong.
        Assert.Equal(["Failed to load resource: the server responded with a status of 400 (Bad Request)"], tab.ConsoleErrors);
    }
}
