using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>Finds the storage provider a silo's options name among those the storage packages added to its services,
/// and registers the embedded silo for <c>AddTaskFlow</c> of TaskFlow.AspNetCore.</summary>
internal static class TaskFlowStorageProviders
{
    /// <summary>Makes <paramref name="provider"/> available to every silo over <paramref name="services"/> (once).</summary>
    public static void Add(IServiceCollection services, ITaskFlowStorageProvider provider)
    {
        if (!services.Any(d => d.ServiceType == typeof(ITaskFlowStorageProvider) && d.ImplementationInstance?.GetType() == provider.GetType()))
            services.AddSingleton(provider);
        if (!services.Any(d => d.ServiceType == typeof(ITaskFlowEmbeddedSilo)))
            services.AddSingleton<ITaskFlowEmbeddedSilo>(new EmbeddedSilo());
    }

    /// <summary>The provider the options name; Memory when no package is involved.</summary>
    /// <exception cref="InvalidOperationException">The named provider's package was not added.</exception>
    public static ITaskFlowStorageProvider Find(IServiceCollection services, TaskFlowOptions options)
    {
        var wanted = options.Storage.Provider;
        if (wanted == StorageProvider.Memory) return Memory;
        return services.Select(d => d.ImplementationInstance).OfType<ITaskFlowStorageProvider>().FirstOrDefault(p => p.Provider == wanted)
            ?? throw new InvalidOperationException(wanted switch
            {
                StorageProvider.Sqlite => "TaskFlow:Storage:Provider is 'Sqlite', but SQLite storage was not added: reference the TaskFlow.Storage.Sqlite package and call tf.AddSqliteStorage() in AddTaskFlow.",
                StorageProvider.Postgres => "TaskFlow:Storage:Provider is 'Postgres', but PostgreSQL storage was not added: reference the TaskFlow.Storage.PostgreSql package and call tf.AddPostgreSqlStorage() in AddTaskFlow.",
                _ => $"TaskFlow:Storage:Provider '{wanted}' is unknown; use 'Sqlite', 'Postgres' or 'Memory'.",
            });
    }

    /// <summary>The built-in provider: nothing survives the process (tests, trials); the store is shared by the silos
    /// of one service id in this process, as a test cluster's silos share a database.</summary>
    public static readonly ITaskFlowStorageProvider Memory = new MemoryStorage();

    private sealed class MemoryStorage : ITaskFlowStorageProvider
    {
        public StorageProvider Provider => StorageProvider.Memory;

        public void AddStorage(ISiloBuilder silo, TaskFlowOptions options)
        {
            silo.Services.TryAddSingleton<ITaskStore>(sp =>
                MemoryTaskStore.ForService(sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId));
            silo.AddTaskFlowStoreGrainStorage();
            silo.UseInMemoryReminderService();
        }

        public bool UseClustering(ISiloBuilder silo, TaskFlowOptions options) => false;
    }
}
