using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>One open dashboard tab and the errors its console reported.</summary>
public sealed class DashboardPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<string> _errors = Subscribe(page);

    public IPage Page { get; } = page;

    public IReadOnlyList<string> ConsoleErrors => _errors;

    public async Task GotoAsync(string hash = "")
    {
        await Page.GotoAsync("/tasks/dashboard" + hash);
        await Assertions.Expect(Page.Locator("#live-indicator")).ToHaveAttributeAsync("data-state", "live");
    }

    /// <summary>The Api's subscription to the cluster's events renews in the background; until it is in place a fresh
    /// host may miss the first events. Enqueue until one shows up in the table by itself.</summary>
    public async Task WaitUntilTheStreamDeliversAsync(ApiHost api)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var probe = await api.EnqueueAsync("send_otp", new { phone = "+15550199" });
            try
            {
                await Assertions.Expect(Page.Locator($"#tasks-body tr[data-task-id='{probe:D}'] .status"))
                    .ToHaveTextAsync("success", new LocatorAssertionsToHaveTextOptions { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Not delivered yet: try another.
            }
        }
    }

    /// <summary>Saves a PNG to the test output's screenshots folder; the whole page, or the viewport for views that
    /// float over it (a fixed drawer is only as tall as the window).</summary>
    public async Task ScreenshotAsync(string name, ITestOutputHelper output, bool fullPage = true)
    {
        var path = Path.Combine(DashboardBrowser.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
        output.WriteLine($"screenshot: {path}");
    }

    private static List<string> Subscribe(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        return errors;
    }

    public async ValueTask DisposeAsync()
    {
        // Route handlers still running would fail against a closing page; and a close that Chromium never acknowledges
        // (seen once, under load, after a routed navigation) must not hang the suite: the browser goes with the fixture.
        await Bounded(Page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.IgnoreErrors }));
        await Bounded(Page.CloseAsync());
        await Bounded(context.DisposeAsync().AsTask());
    }

    internal static async Task Bounded(Task cleanup)
    {
        try
        {
            await cleanup.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            // Cleanup only: the test's outcome is already decided.
        }
    }
}
