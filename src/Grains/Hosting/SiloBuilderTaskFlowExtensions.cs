using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Hosting;

/// <summary>Adds the TaskFlow runtime to an Orleans silo: <c>UseTaskFlow</c> for a silo host (clustering included),
/// <c>AddTaskFlow</c> where the cluster is configured already (a test cluster).</summary>
public static class SiloBuilderTaskFlowExtensions
{
    /// <summary>The whole silo: clustering by the storage provider, the runtime, the storage, and argument encryption
    /// when <c>TaskFlow:Storage:EncryptArgs</c> asks for it. Options come from the <c>TaskFlow</c> section of
    /// <paramref name="configuration"/>; <paramref name="configure"/> registers tasks and adds storage
    /// (<c>tf.AddSqliteStorage()</c>, <c>tf.AddPostgreSqlStorage()</c>).</summary>
    public static ISiloBuilder UseTaskFlow(this ISiloBuilder silo, IConfiguration configuration, Action<TaskFlowBuilder>? configure = null) =>
        UseTaskFlow(silo, configuration, TaskFlowOptionsRegistration.Read(configuration), null, configure);

    /// <summary>As <see cref="UseTaskFlow(ISiloBuilder, IConfiguration, Action{TaskFlowBuilder})"/>, with options set in
    /// code after the configuration's (<c>o =&gt; o.MaxConcurrency = 20</c>).</summary>
    public static ISiloBuilder UseTaskFlow(this ISiloBuilder silo, IConfiguration configuration, Action<TaskFlowOptions> options,
        Action<TaskFlowBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return UseTaskFlow(silo, configuration, TaskFlowOptionsRegistration.Read(configuration, options), options, configure);
    }

    internal static ISiloBuilder UseTaskFlow(ISiloBuilder silo, IConfiguration configuration, TaskFlowOptions read,
        Action<TaskFlowOptions>? configureOptions, Action<TaskFlowBuilder>? tasks)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = new TaskFlowBuilder(silo.Services);
        tasks?.Invoke(builder);
        silo.Services.AddTaskFlowArgsEncryption(read.Storage);
        silo.UseTaskFlowClustering(read);
        return silo.AddTaskFlowCore(configuration, read, configureOptions);
    }

    /// <summary>Adds task grains, dispatch and storage, configured from the <c>TaskFlow</c> section of
    /// <paramref name="configuration"/>, and registers tasks through <paramref name="configure"/>; the silo's
    /// clustering is left as it is.</summary>
    public static ISiloBuilder AddTaskFlow(this ISiloBuilder silo, IConfiguration configuration, Action<TaskFlowBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = new TaskFlowBuilder(silo.Services);
        configure?.Invoke(builder);
        return silo.AddTaskFlowCore(configuration, TaskFlowOptionsRegistration.Read(configuration), null);
    }

    private static ISiloBuilder AddTaskFlowCore(this ISiloBuilder silo, IConfiguration configuration, TaskFlowOptions read,
        Action<TaskFlowOptions>? configureOptions)
    {
        silo.Services.AddTaskFlowOptions(configuration, configureOptions);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<AttemptRunner>();
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<Telemetry.TaskFlowMetrics>();
        silo.Services.TryAddSingleton<ITaskQueue, TaskQueue>();
        silo.Services.TryAddSingleton<ITaskSchedules, TaskSchedules>();

        TaskFlowStorageProviders.Find(silo.Services, read).AddStorage(silo, read);
        silo.Services.TryAddSingleton(sp => new TaskStates(sp.GetRequiredService<ITaskStore>(), sp.GetService<ITaskArgsProtector>()));
        silo.Services.AddSingleton<Scheduling.ScheduleKeeper>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Scheduling.ScheduleKeeper>());
        silo.Services.AddSingleton<Dispatch.DispatchAgent>();
        silo.Services.AddSingleton<Events.TaskEventsRelay>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Events.TaskEventsRelay>());
        silo.Services.AddSingleton<SiloDrain>();
        silo.Services.AddSingleton(sp => new SiloHealth(
            sp.GetRequiredService<IClusterMembershipService>(), sp.GetRequiredService<ILocalSiloDetails>(), sp.GetRequiredService<SiloDrain>()));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloDrain>());
        silo.Services.AddSingleton<SiloFence>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloFence>());
        // The host must wait for the drain: its own shutdown timeout (30 s by default) would cut the grace short.
        var grace = read.ShutdownGrace;
        silo.Services.Configure<HostOptions>(o =>
        {
            if (o.ShutdownTimeout < grace + ShutdownMargin) o.ShutdownTimeout = grace + ShutdownMargin;
        });
        silo.Services.AddSingleton<Cluster.ClusterReporter>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Cluster.ClusterReporter>());
        silo.Services.AddSingleton<TaskStoreLifecycle>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TaskStoreLifecycle>());
        return silo;
    }

    /// <summary>Time a stopping silo needs beyond the drain: storing interruptions, deactivating grains, leaving the
    /// cluster.</summary>
    internal static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);
}
