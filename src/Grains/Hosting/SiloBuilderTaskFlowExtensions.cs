using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Hosting;

/// <summary>Adds the TaskFlow runtime to an Orleans silo.</summary>
public static class SiloBuilderTaskFlowExtensions
{
    /// <summary>Adds task grains, dispatch and storage, configured from the <c>TaskFlow</c> section of
    /// <paramref name="configuration"/>, and registers tasks through <paramref name="configure"/>.</summary>
    public static ISiloBuilder AddTaskFlow(this ISiloBuilder silo, IConfiguration configuration, Action<TaskFlowBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = new TaskFlowBuilder(silo.Services);
        configure?.Invoke(builder);
        silo.Services.AddTaskFlowOptions(configuration);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<AttemptRunner>();
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<Telemetry.TaskFlowMetrics>();
        silo.Services.TryAddSingleton<ITaskQueue, TaskQueue>();
        silo.Services.TryAddSingleton<ITaskSchedules, TaskSchedules>();

        var storage = configuration.GetSection(TaskFlowOptions.SectionName).Get<TaskFlowOptions>()?.Storage ?? new TaskFlowStorageOptions();
        silo.Services.TryAddSingleton<ITaskStore>(sp => storage.Provider switch
        {
            StorageProvider.Memory => MemoryTaskStore.ForService(sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId),
            StorageProvider.Sqlite => new SqliteTaskStore(storage.ConnectionString, sp.GetRequiredService<ILogger<SqliteTaskStore>>()),
            StorageProvider.Postgres => new PostgresTaskStore(storage.ConnectionString, sp.GetRequiredService<ILogger<PostgresTaskStore>>()),
            _ => throw new InvalidOperationException(
                $"TaskFlow:Storage:Provider '{storage.Provider}' is not available in this build; use 'Sqlite', 'Postgres' or 'Memory'."),
        });
        silo.AddTaskFlowGrainStorage(storage);
        silo.Services.TryAddSingleton(sp => new TaskStates(sp.GetRequiredService<ITaskStore>(), sp.GetService<ITaskArgsProtector>()));
        if (storage.Provider is StorageProvider.Memory or StorageProvider.Sqlite)
        {
            // Schedules re-arm from the store at every start (ScheduleKeeper), so reminders need not outlive the process.
            silo.UseInMemoryReminderService();
        }
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
        var grace = configuration.GetSection(TaskFlowOptions.SectionName).Get<TaskFlowOptions>()?.ShutdownGrace ?? new TaskFlowOptions().ShutdownGrace;
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

    /// <summary>Binds and validates <see cref="TaskFlowOptions"/> at start-up.</summary>
    public static IServiceCollection AddTaskFlowOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TaskFlowOptions>()
            .Bind(configuration.GetSection(TaskFlowOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskFlowOptions>, TaskFlowOptionsValidator>());
        return services;
    }

    private sealed class TaskFlowOptionsValidator : IValidateOptions<TaskFlowOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowOptions options)
        {
            var failures = options.Validate().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
