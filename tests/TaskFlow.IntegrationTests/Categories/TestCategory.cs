namespace TaskFlow.IntegrationTests.Categories;

/// <summary>The <c>Category</c> traits of tests that need more than this process: a developer runs the fast rest with
/// <c>dotnet test --filter "Category!=Browser&amp;Category!=Postgres&amp;Category!=Process"</c> (README, Tests).
/// <see cref="TestCategoriesTests"/> fails when a class needs one and lacks it.</summary>
public static class TestCategory
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Category";

    /// <summary>Drives Debian's Chromium through Playwright (the <c>DashboardBrowser</c> fixture).</summary>
    public const string Browser = "Browser";

    /// <summary>Starts a throwaway PostgreSQL server (the <c>PostgresServer</c> fixture).</summary>
    public const string Postgres = "Postgres";

    /// <summary>Starts the Api or the Silo, or a script, as a child process.</summary>
    public const string Process = "Process";
}
