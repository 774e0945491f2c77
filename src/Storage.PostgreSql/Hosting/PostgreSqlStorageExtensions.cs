using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using TaskFlow.Hosting;
using TaskFlow.Storage;

namespace TaskFlow;

/// <summary><c>tf.AddPostgreSqlStorage()</c>: the cluster store. Tasks, Orleans membership, reminders and grain states
/// live in one PostgreSQL database whose versioned schema the silos apply at start.</summary>
public static class PostgreSqlStorageExtensions
{
    /// <summary>The ADO.NET invariant name of Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Makes the <c>Postgres</c> provider available (<c>TaskFlow:Storage:Provider=Postgres</c>). The database is
    /// <c>TaskFlow:Storage:ConnectionString</c>, or the data source <paramref name="dataSource"/> returns from the
    /// application's services (<c>sp =&gt; sp.GetRequiredService&lt;NpgsqlDataSource&gt;()</c>, as Aspire registers it).
    /// A Client-mode node with it finds the silos in the membership table.</summary>
    public static TaskFlowBuilder AddPostgreSqlStorage(this TaskFlowBuilder tf, Func<IServiceProvider, NpgsqlDataSource>? dataSource = null)
    {
        ArgumentNullException.ThrowIfNull(tf);
        var storage = new PostgreSqlStorage();
        TaskFlowStorageProviders.Add(tf.Services, storage);
        if (!tf.Services.Any(d => d.ServiceType == typeof(ITaskFlowClientClustering)))
            tf.Services.AddSingleton<ITaskFlowClientClustering>(storage);
        tf.Services.TryAddSingleton(sp => new PostgresDatabase(sp.GetRequiredService<IOptions<TaskFlowOptions>>(), dataSource?.Invoke(sp)));
        if (dataSource is null)
            tf.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskFlowOptions>, ConnectionStringRequired>());
        return tf;
    }

    /// <summary>Without a data source, PostgreSQL needs a connection string: say so at start, naming the setting.</summary>
    private sealed class ConnectionStringRequired : IValidateOptions<TaskFlowOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowOptions options) =>
            options.Storage.Provider != StorageProvider.Postgres || PostgresDatabase.IsSet(options.Storage.ConnectionString)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("TaskFlow:Storage:ConnectionString must name the PostgreSQL database (Host=…;Database=…;Username=…) when TaskFlow:Storage:Provider is 'Postgres', or AddPostgreSqlStorage must be given an NpgsqlDataSource.");
    }

    private sealed class PostgreSqlStorage : ITaskFlowStorageProvider, ITaskFlowClientClustering
    {
        public StorageProvider Provider => StorageProvider.Postgres;

        public void AddStorage(ISiloBuilder silo, TaskFlowOptions options)
        {
            // Reminders (and membership, when TaskFlow does the clustering) read their statements from the database long
            // before the task store starts, so the schema is applied at the very start of the silo — also when the host
            // brings its own clustering.
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new PostgresSchemaLifecycle(
                sp.GetRequiredService<PostgresDatabase>().DataSource, sp.GetRequiredService<ILogger<PostgresSchemaLifecycle>>()));
            silo.Services.TryAddSingleton<ITaskStore>(sp => new PostgresTaskStore(
                sp.GetRequiredService<PostgresDatabase>().DataSource, sp.GetRequiredService<ILogger<PostgresTaskStore>>()));
            // Orleans' ADO.NET grain storage (JSON payloads) plus the carry-over of states an older version left in
            // taskflow.grain_state.
            silo.Services.AddOptions<AdoNetGrainStorageOptions>(TaskFlowStorage.Name).Configure<PostgresDatabase>((o, db) =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = db.ConnectionString;
                o.GrainStorageSerializer = TaskFlowGrainStateSerializer.Instance;
                o.InitStage = PostgresGrainStorage.InitStage;
                // A cleared state keeps its row (no payload, a new version), so the carry-over never mistakes it for a
                // state that was never written.
                o.DeleteStateOnClear = false;
            });
            silo.Services.AddGrainStorage(TaskFlowStorage.Name, (sp, name) => new PostgresGrainStorage(AdoNetGrainStorageFactory.Create(sp, name)));
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new GrainStateCarryOver(
                sp.GetRequiredService<PostgresDatabase>().DataSource, sp.GetRequiredKeyedService<IGrainStorage>(TaskFlowStorage.Name),
                sp.GetRequiredService<ILogger<GrainStateCarryOver>>()));
            silo.UseAdoNetReminderService(o => o.Configure<PostgresDatabase>((reminders, db) =>
            {
                reminders.Invariant = Invariant;
                reminders.ConnectionString = db.ConnectionString;
            }));
        }

        public bool UseClustering(ISiloBuilder silo, TaskFlowOptions options)
        {
            // The schema lifecycle AddStorage registered creates the membership table before membership starts.
            silo.UseTaskFlowNetwork(options.Cluster)
                .UseAdoNetClustering(o => o.Configure<PostgresDatabase>((membership, db) =>
                {
                    membership.Invariant = Invariant;
                    membership.ConnectionString = db.ConnectionString;
                }));
            return true;
        }

        public void Configure(IClientBuilder client, TaskFlowOptions options)
        {
            var cluster = options.Cluster;
            client
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                })
                .UseAdoNetClustering(o => o.Configure<PostgresDatabase>((membership, db) =>
                {
                    membership.Invariant = Invariant;
                    membership.ConnectionString = db.ConnectionString;
                }));
        }
    }
}
