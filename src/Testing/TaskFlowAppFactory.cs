using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.Testing;

/// <summary>The application under test (its <c>Program</c>) on in-process HTTP, with TaskFlow's embedded silo made a
/// private test host: the in-memory store, free ports, no demo tasks. The application must host the silo (call
/// <c>AddTaskFlow</c> with a storage added, such as <c>tf.AddSqliteStorage()</c>) and leave the storage provider to
/// configuration. A subclass that overrides <see cref="ConfigureWebHost"/> calls the base first.
/// <code>
/// public sealed class SignupTests(TaskFlowAppFactory&lt;Program&gt; app) : IClassFixture&lt;TaskFlowAppFactory&lt;Program&gt;&gt;
/// </code></summary>
public class TaskFlowAppFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    /// <summary>Enqueues and reads tasks of the application under test.</summary>
    public ITaskQueue Queue => Services.GetRequiredService<ITaskQueue>();

    /// <summary>Waits until the task's status is <paramref name="status"/>; see
    /// <see cref="TaskQueueWaitExtensions.WaitForAsync"/>.</summary>
    public Task<TaskRecord> WaitForAsync(Guid taskId, TaskRunStatus status, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Queue.WaitForAsync(taskId, status, timeout, cancellationToken);

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in TestSettings.Create()) builder.UseSetting(key, value);
    }
}
