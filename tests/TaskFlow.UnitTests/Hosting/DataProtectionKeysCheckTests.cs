using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskFlow.Hosting;
using TaskFlow.Security;

namespace TaskFlow.UnitTests.Hosting;

public sealed class DataProtectionKeysCheckTests
{
    private static async Task<List<string>> WarningsAsync(bool clustered, bool users, Action<IDataProtectionBuilder>? keys = null, bool encryptsArgs = false)
    {
        var services = new ServiceCollection();
        var protection = services.AddDataProtection();
        keys?.Invoke(protection);
        services.AddOptions<TaskFlowDashboardOptions>().Configure(o =>
        {
            if (users) o.Users["alice"] = new TaskFlowDashboardUser { Password = "a long enough password" };
        });
        await using var provider = services.BuildServiceProvider();
        var logger = new ListLogger();
        await new DataProtectionKeysCheck(clustered, encryptsArgs, provider, logger).StartAsync(CancellationToken.None);
        return logger.Warnings;
    }

    [Fact]
    public async Task A_clustered_node_with_users_and_the_default_key_ring_is_warned()
    {
        var warnings = await WarningsAsync(clustered: true, users: true);

        Assert.Contains(warnings, w => w.Contains("neither shared nor protected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clustered_node_that_encrypts_arguments_with_the_default_key_ring_is_warned()
    {
        var warnings = await WarningsAsync(clustered: true, users: false, encryptsArgs: true);

        Assert.Contains(warnings, w => w.Contains("task arguments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_shared_key_ring_a_single_node_or_nothing_protected_is_not_warned()
    {
        var shared = Directory.CreateTempSubdirectory("taskflow-keys-");
        try
        {
            Assert.Empty(await WarningsAsync(clustered: true, users: true, k => k.PersistKeysToFileSystem(shared)));
            Assert.Empty(await WarningsAsync(clustered: false, users: true));
            Assert.Empty(await WarningsAsync(clustered: true, users: false));
        }
        finally
        {
            shared.Delete(recursive: true);
        }
    }

    private sealed class ListLogger : ILogger<DataProtectionKeysCheck>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }
}
