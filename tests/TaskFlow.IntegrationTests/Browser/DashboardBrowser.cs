using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Browser;

/// <summary>The real Api as a child process (in-memory storage, demo tasks) and Debian's Chromium driven by
/// Playwright, shared by the browser tests of one class. Playwright's driver ships inside its NuGet package; no
/// browser is downloaded: the executable is the system's (<c>TASKFLOW_CHROMIUM</c> overrides the path).</summary>
public class DashboardBrowser : IAsyncLifetime
{
    public const string Collection = "dashboard browser";

    static DashboardBrowser() => Assertions.SetDefaultExpectTimeout(20_000);

    public static string ChromiumPath => Environment.GetEnvironmentVariable("TASKFLOW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The tracing tool the dashboard links each task's trace to.</summary>
    public const string TraceUrl = "https://tracing.example/trace/{traceId}";

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Environment added to the host's (e.g. users).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ApiHost? _api;

    public ApiHost Api => _api ?? throw new InvalidOperationException("Not started.");

    public IBrowser Chromium => _browser ?? throw new InvalidOperationException("Not started.");

    public string BaseUrl => Api.Http.BaseAddress!.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        // A missing browser is a broken machine, not a reason to skip: say how to fix it.
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Chromium is missing at {ChromiumPath}: install Debian's package (apt-get install -y chromium; scripts/test.sh does) " +
                "or point TASKFLOW_CHROMIUM at a Chromium executable.");
        Directory.CreateDirectory(ScreenshotDirectory);
        var settings = new Dictionary<string, string>
        {
            ["TaskFlow__Storage__Provider"] = "Memory",
            ["TaskFlow__Demo__Enabled"] = "true",
            ["TaskFlow__Telemetry__TraceUrl"] = TraceUrl,
        };
        foreach (var (key, value) in Settings) settings[key] = value;
        _api = await ApiHost.StartAsync(settings);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh context and page (own storage, so a theme choice does not leak between tests) whose console
    /// errors and uncaught exceptions are collected.</summary>
    public async Task<DashboardPage> OpenAsync(ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            ColorScheme = scheme,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        return new DashboardPage(context, page);
    }

    public Task WaitForStatusAsync(Guid id, string status) =>
        Eventually.WaitAsync(() => Api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{id:D}"),
            r => r.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(30), $"{id} to be {status}");

    public async Task DisposeAsync()
    {
        if (_browser is not null) await DashboardPage.Bounded(_browser.CloseAsync());
        _playwright?.Dispose();   // ends the driver, which kills a browser that did not close
        if (_api is not null) await _api.DisposeAsync();
    }
}

[CollectionDefinition(DashboardBrowser.Collection)]
public sealed class DashboardBrowserCollection : ICollectionFixture<DashboardBrowser>;
