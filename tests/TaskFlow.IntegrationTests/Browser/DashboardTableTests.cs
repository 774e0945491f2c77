using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The tasks table as a user works it: filters, search, client-side sorting, pause and resume of live
/// updates, CSV export and cancelling from the detail.</summary>
[Collection(DashboardBrowser.Collection)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DashboardTableTests(DashboardBrowser browser)
{
    private ApiHost Api => browser.Api;

    [Fact]
    public async Task Filters_and_search_narrow_the_table_and_sorting_reorders_the_loaded_page()
    {
        var failed = await Api.EnqueueAsync("fail", new { message = "filtered" });
        var report = await Api.EnqueueAsync("generate_monthly_report", new { month = 5, durationMs = 300 });
        await browser.WaitForStatusAsync(failed, "failed");
        await browser.WaitForStatusAsync(report, "success");
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();

        await tab.Page.Locator("#filter-status").SelectOptionAsync("failed");
        await Expect(tab.Page.Locator($"#tasks-body tr[data-task-id='{failed:D}']")).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("#tasks-body tr:not([data-status='failed'])")).ToHaveCountAsync(0);

        await tab.Page.Locator("#filter-status").SelectOptionAsync("");
        await tab.Page.Locator("#filter-search").FillAsync(report.ToString("D")[..8]);
        await Expect(tab.Page.Locator("#tasks-body tr")).ToHaveCountAsync(1);
        await Expect(tab.Page.Locator($"#tasks-body tr[data-task-id='{report:D}']")).ToBeVisibleAsync();

        await tab.Page.Locator("#filter-search").FillAsync("");
        await Expect(tab.Page.Locator("#tasks-body tr")).Not.ToHaveCountAsync(1);
        var priority = tab.Page.Locator("#tasks-table th[data-sort='priority']");
        await priority.Locator("button").ClickAsync();
        await Expect(priority).ToHaveAttributeAsync("aria-sort", "descending");
        var priorities = (await tab.Page.Locator("#tasks-body tr td:nth-child(6)").AllTextContentsAsync()).Select(int.Parse).ToList();
        Assert.Equal(priorities.OrderByDescending(p => p), priorities);
        Assert.Contains("newest first", await priority.Locator("button").GetAttributeAsync("title") ?? "", StringComparison.Ordinal);
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task Pausing_stops_live_updates_and_resuming_catches_up()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        await tab.WaitUntilTheStreamDeliversAsync(Api);

        await tab.Page.Locator("#pause-live").ClickAsync();
        await Expect(tab.Page.Locator("#live-indicator")).ToHaveAttributeAsync("data-state", "paused");
        var id = await Api.EnqueueAsync("send_otp", new { phone = "+15550142" });
        await browser.WaitForStatusAsync(id, "success");
        var row = tab.Page.Locator($"#tasks-body tr[data-task-id='{id:D}']");
        Assert.Equal(0, await row.CountAsync());   // paused: the stream is closed, nothing is applied

        await tab.Page.Locator("#pause-live").ClickAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("success");
        await Expect(tab.Page.Locator("#live-indicator")).ToHaveAttributeAsync("data-state", "live");
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task Csv_export_holds_the_filtered_view_with_quotes_escaped_and_formulas_neutralised()
    {
        var formula = await Api.EnqueueAsync("fail", new { message = "=HYPERLINK(\"http://x\",\"y\")" });
        var spaced = await Api.EnqueueAsync("fail", new { message = "  =1+2" });
        var other = await Api.EnqueueAsync("send_otp", new { phone = "+15550143" });
        await browser.WaitForStatusAsync(formula, "failed");
        await browser.WaitForStatusAsync(spaced, "failed");
        await browser.WaitForStatusAsync(other, "success");
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        await tab.Page.Locator("#filter-status").SelectOptionAsync("failed");
        await Expect(tab.Page.Locator($"#tasks-body tr[data-task-id='{formula:D}']")).ToBeVisibleAsync();

        var download = await tab.Page.RunAndWaitForDownloadAsync(() => tab.Page.Locator("#export-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());

        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.StartsWith("taskId,name,status,", csv, StringComparison.Ordinal);
        var line = csv.Split("\r\n").Single(l => l.StartsWith(formula.ToString("D"), StringComparison.Ordinal));
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",", line, StringComparison.Ordinal);
        var spacedLine = csv.Split("\r\n").Single(l => l.StartsWith(spaced.ToString("D"), StringComparison.Ordinal));
        Assert.Contains(",'  =1+2,", spacedLine, StringComparison.Ordinal);
        Assert.DoesNotContain(other.ToString("D"), csv, StringComparison.Ordinal);
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task A_running_task_is_cancelled_from_its_detail()
    {
        var id = await Api.EnqueueAsync("sleep", new { ms = 60_000 });
        await browser.WaitForStatusAsync(id, "running");
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync($"#task/{id:D}");

        await tab.Page.Locator("#detail-cancel").ClickAsync();

        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("cancelled");
        await Expect(tab.Page.Locator("#detail-cancel")).ToHaveCountAsync(0);
        await Expect(tab.Page.Locator("#detail-retry")).ToBeVisibleAsync();   // a cancelled task may be replayed
        Assert.Empty(tab.ConsoleErrors);
    }
}
