using Microsoft.Playwright;

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

    public async Task ScreenshotAsync(string name, ITestOutputHelper output)
    {
        var path = Path.Combine(DashboardBrowser.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
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
        // Close first: the page's event stream ends with the page, not with the host.
        await Page.CloseAsync();
        await context.DisposeAsync();
    }
}
