using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Hosting;

namespace TaskFlow.Testing;

/// <summary>A TaskFlow silo in the test process, for testing handlers: the in-memory store, free ports, only the tasks
/// the test registers, and services it replaces.
/// <code>
/// await using var host = await TaskFlowTestHost.StartAsync(
///     tf =&gt; tf.AddTask&lt;SendWelcomeEmail&gt;("send_welcome_email"),
///     services =&gt; services.AddSingleton&lt;IMailer&gt;(mailer));
/// var id = await host.Queue.EnqueueAsync(new WelcomeEmail("ada@example.com"));
/// await host.WaitForAsync(id, TaskRunStatus.Success, TimeSpan.FromSeconds(10));
/// </code></summary>
public sealed class TaskFlowTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private TaskFlowTestHost(IHost host) => _host = host;

    /// <summary>The host's services: handlers' dependencies, <see cref="ITaskQueue"/>, the grain factory.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Enqueues and reads tasks.</summary>
    public ITaskQueue Queue => _host.Services.GetRequiredService<ITaskQueue>();

    /// <summary>Starts a host with the tasks <paramref name="tasks"/> registers; <paramref name="services"/> adds or
    /// replaces services (fakes of what handlers call), <paramref name="options"/> changes TaskFlow's options
    /// (retries run on the tasks' own delays: register test tasks with short ones).</summary>
    public static async Task<TaskFlowTestHost> StartAsync(Action<TaskFlowBuilder> tasks, Action<IServiceCollection>? services = null,
        Action<TaskFlowOptions>? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        // No defaults: an appsettings.json copied into the test's output must not reach the test host.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(TestSettings.Create());
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseTaskFlow(builder.Configuration, options ?? (_ => { }), tasks));
        services?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return new TaskFlowTestHost(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the task's status is <paramref name="status"/>; see
    /// <see cref="TaskQueueWaitExtensions.WaitForAsync"/>.</summary>
    public Task<TaskRecord> WaitForAsync(Guid taskId, TaskRunStatus status, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Queue.WaitForAsync(taskId, status, timeout, cancellationToken);

    /// <summary>Stops the silo (a running attempt gets the short test grace) and releases its ports.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}
