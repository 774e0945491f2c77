using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskFlow.IntegrationTests.Categories;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The Batches tab follows a batch to its end in a real browser, and the task detail links a continuation
/// with its parents and a batch's then task with its batch.</summary>
[Collection(DashboardBrowser.Collection)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class BatchViewBrowserTests(DashboardBrowser browser, ITestOutputHelper output)
{
    private async Task<JsonElement> PostAsync(string path, object body)
    {
        var response = await browser.Api.Http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_batch_view_shows_progress_until_done_and_links_the_then_task_and_the_members()
    {
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync("#batches");
        var tasks = Enumerable.Range(0, 9).Select(i => (object)new { name = "send_otp", args = new { phone = $"+1555020{i}" } })
            .Append(new { name = "sleep", args = new { ms = 6_000 } }).ToArray();
        var created = await PostAsync("/tasks/batches", new { tasks, then = new { name = "send_welcome_email", args = new { address = "then@b.c" } } });
        var batchId = created.GetProperty("batchId").GetString()!;
        var thenId = created.GetProperty("thenTaskId").GetString()!;

        await tab.Page.EvaluateAsync("id => { location.hash = `batch/${id}`; }", batchId);

        await Expect(tab.Page.Locator("#tab-batches")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(tab.Page.Locator("#batch-shown-id")).ToHaveTextAsync(batchId);
        await Expect(tab.Page.Locator("#batch-state")).ToHaveTextAsync("in progress");
        await Expect(tab.Page.Locator("#batch-members .link-button")).ToHaveCountAsync(10);
        await tab.ScreenshotAsync("batch-in-progress", output);
        await Expect(tab.Page.Locator("#batch-state")).ToHaveTextAsync("done", new() { Timeout = 30_000 });
        await Expect(tab.Page.Locator("#batch-ended")).ToHaveTextAsync("10 of 10 ended");
        await Expect(tab.Page.Locator("#batch-counts li[data-status='success'] b")).ToHaveTextAsync("10");
        await Expect(tab.Page.Locator("#batch-progress")).ToHaveAttributeAsync("aria-valuenow", "100");

        await tab.Page.Locator("#batch-then .link-button").ClickAsync();
        await Expect(tab.Page.Locator("#task-detail #detail-id")).ToHaveTextAsync(thenId);
        await Expect(tab.Page.Locator("#task-detail .batch-link")).ToHaveTextAsync(batchId);
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task The_batches_tab_opens_a_batch_by_id_and_says_when_none_has_it()
    {
        var created = await PostAsync("/tasks/batches", new { tasks = new[] { new { name = "send_otp", args = new { phone = "+15550300" } } } });
        await using var tab = await browser.OpenAsync();
        await tab.GotoAsync("#batches");

        await tab.Page.Locator("#batch-id").FillAsync(Guid.NewGuid().ToString());
        await tab.Page.Locator("#batch-open button[type=submit]").ClickAsync();
        await Expect(tab.Page.Locator("#batch-error")).ToContainTextAsync("No batch has the id");
        await tab.Page.Locator("#batch-id").FillAsync(created.GetProperty("batchId").GetString()!);
        await tab.Page.Locator("#batch-open button[type=submit]").ClickAsync();

        await Expect(tab.Page.Locator("#batch-state")).ToHaveTextAsync("done");
        Assert.DoesNotContain(tab.ConsoleErrors, e => !e.Contains("404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_continuation_detail_links_its_parent_and_the_parent_links_it_back()
    {
        var parent = (await PostAsync("/tasks", new { name = "sleep", args = new { ms = 1_500 } })).GetProperty("taskId").GetString()!;
        var child = (await PostAsync("/tasks", new { name = "send_otp", args = new { phone = "+15550400" }, after = new[] { parent } })).GetProperty("taskId").GetString()!;
        await using var tab = await browser.OpenAsync();

        await tab.GotoAsync($"#task/{child}");

        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("awaiting");
        await tab.Page.Locator("#detail-after .link-button").ClickAsync();
        await Expect(tab.Page.Locator("#task-detail #detail-id")).ToHaveTextAsync(parent);
        await Expect(tab.Page.Locator("#detail-continuations .link-button")).ToHaveTextAsync(child);
        await tab.Page.Locator("#detail-continuations .link-button").ClickAsync();
        await Expect(tab.Page.Locator("#task-detail .detail-bar .badge").First).ToHaveTextAsync("success", new() { Timeout = 30_000 });
        Assert.Empty(tab.ConsoleErrors);
    }
}
