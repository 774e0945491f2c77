using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The dashboard in a real browser against the real Api: live rows, the task detail, escaping of user
/// data, dead-letter replay through the confirmation dialog, and screenshots of every tab in both themes.</summary>
[Collection(DashboardBrowser.Collection)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DashboardBrowserTests(DashboardBrowser browser, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ApiHost Api => browser.Api;

    [Fact]
    public async Task A_task_goes_from_pending_to_success_without_a_reload_and_its_detail_shows_progress_attempts_and_logs()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        await tab.WaitUntilTheStreamDeliversAsync(Api);
        await tab.Page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var id = await Api.EnqueueAsync("generate_monthly_report", new { month = 3, durationMs = 1500 });
        var row = tab.Page.Locator($"#tasks-body tr[data-task-id='{id:D}']");
        await Expect(row.Locator(".status")).ToHaveTextAsync(new Regex("pending|running"));
        await Expect(row.Locator(".status")).ToHaveTextAsync("success");
        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");

        await row.ClickAsync();
        var detail = tab.Page.Locator("#task-detail");
        await Expect(detail).ToBeVisibleAsync();
        await Expect(tab.Page).ToHaveURLAsync(new Regex($"#task/{id:D}$"));
        await Expect(detail.Locator("#detail-progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(detail.Locator(".attempt")).ToHaveCountAsync(1);
        await Expect(detail.Locator("#detail-logs")).ToContainTextAsync("Report for month 3 generated");
        await Expect(detail.Locator("#detail-args")).ToContainTextAsync("\"durationMs\": 1500");
        var traceId = (await Api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id:D}")).GetProperty("traceId").GetString()!;
        await Expect(detail.Locator("#detail-trace")).ToHaveTextAsync(traceId);
        await Expect(detail.Locator("#detail-trace-link")).ToHaveAttributeAsync("href", DashboardBrowser.TraceUrl.Replace("{traceId}", traceId, StringComparison.Ordinal));

        // The detail is addressable: a reload opens it again.
        await tab.Page.ReloadAsync();
        await Expect(tab.Page.Locator("#task-detail #detail-id")).ToHaveTextAsync(id.ToString("D"));
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task The_detail_of_a_running_task_shows_its_progress_as_it_is_reported()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        var id = await Api.EnqueueAsync("generate_monthly_report", new { month = 4, durationMs = 5000 });

        await tab.Page.GotoAsync($"/tasks/dashboard#task/{id:D}");

        var progress = tab.Page.Locator("#task-detail #detail-progress");
        await Expect(progress).ToHaveAttributeAsync("aria-valuenow", new Regex("^[1-9][0-9]?$"));   // between 1 and 99
        await Expect(progress).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("success");
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task An_error_message_containing_a_script_tag_is_shown_as_text_and_never_runs()
    {
        const string message = "<script>window.__xss=1</script>boom";
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();

        var id = await Api.EnqueueAsync("fail", new { message });
        await WaitForStatusAsync(id, "failed");
        await tab.Page.GotoAsync($"/tasks/dashboard#task/{id:D}");

        await Expect(tab.Page.Locator("#detail-error")).ToContainTextAsync(message);
        await Expect(tab.Page.Locator("#task-detail .attempt .error-box")).ToContainTextAsync(message);
        await Expect(tab.Page.Locator("#detail-args")).ToContainTextAsync("window.__xss=1");
        await tab.Page.Locator("#detail-close").ClickAsync();
        await tab.Page.Locator("#tab-dead").ClickAsync();
        await Expect(tab.Page.Locator($"#dead-body tr[data-task-id='{id:D}'] .cell-error")).ToHaveTextAsync(message);

        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.__xss === undefined"), "the script in the error ran");
        Assert.Equal(1, await tab.Page.Locator("script").CountAsync());   // only app.js
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task A_dead_letter_is_replayed_only_after_the_confirmation_dialog_lists_it()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync("#dead");
        var failed = await Api.EnqueueAsync("fail", new { message = "dead letter to replay" });
        await WaitForStatusAsync(failed, "failed");

        var row = tab.Page.Locator($"#dead-body tr[data-task-id='{failed:D}']");
        await Expect(row).ToBeVisibleAsync();   // arrives live, or on the tab's load
        await row.Locator("input.select-dead").CheckAsync();
        await tab.Page.Locator("#replay-selected").ClickAsync();

        var dialog = tab.Page.Locator("#replay-confirm");
        await Expect(dialog).ToBeVisibleAsync();
        var listed = dialog.Locator($"tr[data-task-id='{failed:D}']");
        await Expect(listed).ToHaveClassAsync("will-run");
        await Expect(listed).ToContainTextAsync("fail");
        await Expect(dialog.Locator("tbody tr")).ToHaveCountAsync(1);
        Assert.Empty(await ReplaysOfAsync(failed));   // the dry run dispatched nothing
        await tab.ScreenshotAsync("replay-confirm", output, fullPage: false);

        await tab.Page.Locator("#replay-confirm-ok").ClickAsync();

        await Expect(dialog).ToBeHiddenAsync();
        var replays = await Eventually.WaitAsync(() => ReplaysOfAsync(failed), r => r.Count == 1, Patience, $"a replay of {failed}");
        Assert.Equal("replay", replays[0].GetProperty("source").GetString());
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task Replaying_a_window_and_cancelling_the_dialog_runs_nothing()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync("#dead");
        var failed = await Api.EnqueueAsync("fail", new { message = "window candidate" });
        await WaitForStatusAsync(failed, "failed");

        await tab.Page.Locator("#replay-window-size").SelectOptionAsync("1h");
        await tab.Page.Locator("#replay-window").ClickAsync();

        var dialog = tab.Page.Locator("#replay-confirm");
        await Expect(dialog.Locator($"tr[data-task-id='{failed:D}']")).ToHaveClassAsync("will-run");
        await tab.Page.Locator("#replay-confirm-cancel").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Empty(await ReplaysOfAsync(failed));
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task Every_tab_is_captured_in_light_and_dark()
    {
        await Api.EnqueueAsync("flaky", new { failTimes = 1 });
        await Api.EnqueueAsync("send_otp", new { phone = "+15550100" });
        await Api.EnqueueAsync("sleep", new { ms = 60_000 });
        var failed = await Api.EnqueueAsync("fail", new { message = "SMTP server refused the connection" });
        await WaitForStatusAsync(failed, "failed");

        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        foreach (var theme in new[] { "light", "dark" })
        {
            if (theme == "dark") await tab.Page.Locator("#theme-toggle").ClickAsync();
            await Expect(tab.Page.Locator("html")).ToHaveAttributeAsync("data-theme", theme);
            await Expect(tab.Page.Locator("#m-success")).Not.ToHaveTextAsync("–");

            await tab.Page.Locator("#tab-tasks").ClickAsync();
            await Expect(tab.Page.Locator("#tasks-body tr").First).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-tasks", output);

            await tab.Page.Locator("#tab-dead").ClickAsync();
            await Expect(tab.Page.Locator($"#dead-body tr[data-task-id='{failed:D}']")).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-dead-letters", output);

            await tab.Page.Locator("#tab-schedules").ClickAsync();
            await Expect(tab.Page.Locator("#schedules-body tr[data-schedule='sync_exchange_rates']")).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-schedules", output);

            await tab.Page.Locator("#tab-registry").ClickAsync();
            await Expect(tab.Page.Locator("#registry-body tr[data-task='generate_monthly_report']")).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-registry", output);

            await tab.Page.Locator("#tab-cluster").ClickAsync();
            await Expect(tab.Page.Locator("#cluster-body tr[data-status='active']")).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-cluster", output);

            await tab.Page.Locator("#tab-tasks").ClickAsync();
            await tab.Page.Locator($"#tasks-body tr[data-task-id='{failed:D}']").ClickAsync();
            await Expect(tab.Page.Locator("#detail-error")).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{theme}-task-detail", output, fullPage: false);
            await tab.Page.Keyboard.PressAsync("Escape");
            await Expect(tab.Page.Locator("#task-detail")).ToBeHiddenAsync();
        }

        // The choice is remembered.
        await tab.Page.ReloadAsync();
        await Expect(tab.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task The_cluster_tab_shows_the_silo_live_with_its_running_attempts_and_the_detail_names_the_silo_of_each_attempt()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync();
        var id = await Api.EnqueueAsync("sleep", new { ms = 6_000 });
        await WaitForStatusAsync(id, "running");
        var record = await Api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id:D}");
        var host = record.GetProperty("attempts")[0].GetProperty("host").GetString()!;

        await tab.Page.Locator("#tab-cluster").ClickAsync();
        await Expect(tab.Page).ToHaveURLAsync(new Regex("#cluster$"));
        var silo = tab.Page.Locator($"#cluster-body tr[data-silo='{host}']");
        await Expect(silo.Locator(".badge")).ToHaveTextAsync("active");
        // Silos report every 2 s and the tab reloads every 2 s: the running attempt shows up without a reload.
        await Expect(silo.Locator("td.num")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(tab.Page.Locator("#cluster-summary")).ToContainTextAsync("1 of 1 silo up");

        await tab.Page.GotoAsync($"/tasks/dashboard#task/{id:D}");
        await Expect(tab.Page.Locator("#task-detail .attempt .attempt-host")).ToHaveTextAsync($"on {host}");
        Assert.Empty(tab.ConsoleErrors);
    }

    private Task WaitForStatusAsync(Guid id, string status) => browser.WaitForStatusAsync(id, status);

    private async Task<List<JsonElement>> ReplaysOfAsync(Guid original)
    {
        var page = await Api.Http.GetFromJsonAsync<JsonElement>("/tasks?source=replay&limit=500");
        return [.. page.GetProperty("items").EnumerateArray().Where(t => t.GetProperty("replayOf").GetString() == original.ToString("D"))];
    }
}
