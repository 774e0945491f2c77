using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Hosting;
using TaskFlow.Storage;

namespace TaskFlow;

/// <summary><c>tf.AddSqliteStorage()</c>: task history in one SQLite file, for a silo on one machine.</summary>
public static class SqliteStorageExtensions
{
    /// <summary>Makes the <c>Sqlite</c> provider available (<c>TaskFlow:Storage:Provider=Sqlite</c>, the default, with
    /// <c>TaskFlow:Storage:ConnectionString</c> such as <c>Data Source=tasks.db</c>). In an ASP.NET Core app it also
    /// lets <c>AddTaskFlow</c> host the silo in-process.</summary>
    public static TaskFlowBuilder AddSqliteStorage(this TaskFlowBuilder tf)
    {
        ArgumentNullException.ThrowIfNull(tf);
        TaskFlowStorageProviders.Add(tf.Services, new SqliteStorage());
        return tf;
    }

    /// <summary>SQLite keeps the tasks and the <c>taskflow</c> grain states; schedules re-arm from the store at every
    /// start (ScheduleKeeper), so reminders need not outlive the process; membership stays on localhost.</summary>
    private sealed class SqliteStorage : ITaskFlowStorageProvider
    {
        public StorageProvider Provider => StorageProvider.Sqlite;

        public void AddStorage(ISiloBuilder silo, TaskFlowOptions options)
        {
            silo.Services.TryAddSingleton<ITaskStore>(sp => new SqliteTaskStore(
                sp.GetRequiredService<IOptions<TaskFlowOptions>>().Value.Storage.ConnectionString,
                sp.GetRequiredService<ILogger<SqliteTaskStore>>()));
            silo.AddTaskFlowStoreGrainStorage();
            silo.UseInMemoryReminderService();
        }

        public bool UseClustering(ISiloBuilder silo, TaskFlowOptions options) => false;
    }
}
